/**
 * `deno task topics`: creates every topic StreamBoard uses with its
 * partitions (the reference systems' create-topics script), in Kafka in
 * services mode and in the embedded log otherwise. Existing topics are kept.
 */

import { loadConfig } from "../config.ts";
import { connectBroker } from "../pipeline/wiring.ts";
import { allTopicSpecs } from "../pipeline/streams.ts";
import { consoleLogger } from "../pipeline/logger.ts";

const config = loadConfig(Deno.env.toObject());
const broker = await connectBroker(config, consoleLogger("topics"));
for (const { name, partitions } of allTopicSpecs(config)) {
  console.log(
    `${config.namespace}${name}: ${
      await broker.partitions(name) ?? "?"
    } partition(s) (wanted ${partitions})`,
  );
}
await broker.close();
Deno.exit(0);
