// Readiness probe for Cassandra, used by scripts/services/up.sh; no dependencies.
// Speaks the CQL native protocol v4 over node:net (runs under node or deno):
// STARTUP, then `SELECT release_version FROM system.local`. Prints the version and exits 0
// when the server answers the query; exits 1 otherwise.
// Usage: node cql-probe.mjs [host] [port] [timeout-ms]
import net from "node:net";

const host = process.argv[2] ?? "127.0.0.1";
const port = Number(process.argv[3] ?? 9042);
const timeoutMs = Number(process.argv[4] ?? 3000);

const VERSION = 0x04; // request, protocol v4 (v5 framing changes after STARTUP)
const OP = { ERROR: 0x00, STARTUP: 0x01, READY: 0x02, QUERY: 0x07, RESULT: 0x08 };

function frame(stream, opcode, body) {
  const h = Buffer.alloc(9);
  h.writeUInt8(VERSION, 0);
  h.writeUInt8(0, 1);
  h.writeInt16BE(stream, 2);
  h.writeUInt8(opcode, 4);
  h.writeInt32BE(body.length, 5);
  return Buffer.concat([h, body]);
}
const str = (s) => {
  const b = Buffer.from(s, "utf8");
  const l = Buffer.alloc(2);
  l.writeUInt16BE(b.length);
  return Buffer.concat([l, b]);
};
const longStr = (s) => {
  const b = Buffer.from(s, "utf8");
  const l = Buffer.alloc(4);
  l.writeInt32BE(b.length);
  return Buffer.concat([l, b]);
};
function startupBody() {
  const n = Buffer.alloc(2);
  n.writeUInt16BE(1);
  return Buffer.concat([n, str("CQL_VERSION"), str("3.0.0")]);
}
function queryBody(q) {
  const tail = Buffer.alloc(3);
  tail.writeUInt16BE(0x0001, 0); // consistency ONE
  tail.writeUInt8(0x00, 2); // no flags
  return Buffer.concat([longStr(q), tail]);
}

// Parses a RESULT/Rows body with one text column and returns the first cell.
function firstCell(body) {
  let o = 0;
  const kind = body.readInt32BE(o);
  o += 4;
  if (kind !== 0x0002) throw new Error(`unexpected result kind ${kind}`);
  const flags = body.readInt32BE(o);
  o += 4;
  const cols = body.readInt32BE(o);
  o += 4;
  if (flags & 0x0002) {
    const n = body.readInt32BE(o);
    o += 4;
    if (n > 0) o += n;
  } // paging state
  const skipStr = () => {
    const n = body.readUInt16BE(o);
    o += 2 + n;
  };
  if (!(flags & 0x0004)) { // metadata present
    if (flags & 0x0001) {
      skipStr();
      skipStr();
    }
    for (let i = 0; i < cols; i++) {
      if (!(flags & 0x0001)) {
        skipStr();
        skipStr();
      }
      skipStr(); // column name
      const type = body.readUInt16BE(o);
      o += 2;
      if (type === 0x0000) skipStr(); // custom type class name
    }
  }
  const rows = body.readInt32BE(o);
  o += 4;
  if (rows < 1) throw new Error("no rows");
  const n = body.readInt32BE(o);
  o += 4;
  return n < 0 ? null : body.subarray(o, o + n).toString("utf8");
}

function fail(msg) {
  console.error(`cql-probe: ${msg}`);
  process.exit(1);
}

const sock = net.connect({ host, port });
const timer = setTimeout(() => {
  sock.destroy();
  fail(`timeout after ${timeoutMs} ms`);
}, timeoutMs);
let buf = Buffer.alloc(0);
sock.on("error", (e) => fail(e.message));
sock.on("connect", () => sock.write(frame(1, OP.STARTUP, startupBody())));
sock.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 9) {
    const len = buf.readInt32BE(5);
    if (buf.length < 9 + len) return;
    const opcode = buf.readUInt8(4);
    const body = buf.subarray(9, 9 + len);
    buf = buf.subarray(9 + len);
    if (opcode === OP.ERROR) {
      fail(
        `server error 0x${body.readInt32BE(0).toString(16)}: ${
          body.subarray(6, 6 + body.readUInt16BE(4)).toString()
        }`,
      );
    } else if (opcode === OP.READY) {
      sock.write(frame(2, OP.QUERY, queryBody("SELECT release_version FROM system.local")));
    } else if (opcode === OP.RESULT) {
      try {
        console.log(firstCell(body));
      } catch (e) {
        fail(e.message);
      }
      clearTimeout(timer);
      sock.end();
      process.exit(0);
    } else {
      fail(`unexpected opcode 0x${opcode.toString(16)}`);
    }
  }
});
