/**
 * Unpacks `@sparticuz/chromium` into the temporary folder (`TMPDIR`, a staging
 * folder chosen by `chromium.ts`): the Chromium binary, its fonts and
 * SwiftShader, and the NSS and expat libraries the package only unpacks on
 * Amazon Linux, which a machine with Deno alone lacks too.
 */

import Chromium, { inflate } from "@sparticuz/chromium";
import { fileURLToPath } from "node:url";

const bin = new URL("../bin/", import.meta.resolve("@sparticuz/chromium"));
await Chromium.executablePath(fileURLToPath(bin));
await inflate(fileURLToPath(new URL("al2023.tar.br", bin)));
