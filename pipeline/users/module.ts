/** The users stream as one module: RandomUser profiles keyed by `login.uuid`. */

import {
  defineStream,
  shippedDefaults,
  type StreamModule,
  withStreamSettings,
} from "../stream_module.ts";
import { USERS, usersStream } from "./users_stream.ts";
import { generateUser } from "./generator.ts";
import { userKey } from "./user_key.ts";

/** The users stream. */
export const usersModule: StreamModule = defineStream({
  name: USERS.name,
  topics: USERS,
  partitions: (config) => config.broker.partitions,
  defaults: shippedDefaults(USERS.name),
  source: { generator: () => generateUser, key: userKey },
  definition: ({ config }) => usersStream(withStreamSettings(usersModule, config)),
  page: { page: "users", title: "Users" },
});
