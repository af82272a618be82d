/** The products VAT job as one module: two-minute windows written as CSV files and summaries. */

import {
  defineStream,
  shippedDefaults,
  type StreamModule,
  withStreamSettings,
} from "../stream_module.ts";
import { PRODUCTS, productsStream } from "./products_stream.ts";
import { generateProduct, productKey } from "./generator.ts";

/** The products stream; its topic has one partition, as a window's file takes one writer. */
export const productsModule: StreamModule = defineStream({
  name: PRODUCTS.name,
  topics: PRODUCTS,
  partitions: () => PRODUCTS.partitions,
  defaults: shippedDefaults(PRODUCTS.name),
  source: { generator: () => generateProduct, key: productKey },
  definition: ({ config, raw }) => productsStream(withStreamSettings(productsModule, config), raw),
  page: { page: "products", title: "Products" },
});
