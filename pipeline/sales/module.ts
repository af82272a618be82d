/** The sales stream as one module: revenue and transactions overall and per product, city, day and month. */

import {
  defineStream,
  shippedDefaults,
  type StreamModule,
  withStreamSettings,
} from "../stream_module.ts";
import { SALES, salesStream } from "./sales_stream.ts";
import { saleKey, salesGenerator } from "./sales.ts";

/** The sales stream; a fresh one is generated from a year back, so its monthly line fills at once. */
export const salesModule: StreamModule = defineStream({
  name: SALES.name,
  topics: SALES,
  partitions: (config) => config.broker.partitions,
  defaults: shippedDefaults(SALES.name),
  source: {
    generator: ({ history }) => salesGenerator(history ? 365 : 0),
    key: saleKey,
    backfill: true,
  },
  definition: ({ config }) => salesStream(withStreamSettings(salesModule, config)),
  page: { page: "sales", title: "Sales" },
});
