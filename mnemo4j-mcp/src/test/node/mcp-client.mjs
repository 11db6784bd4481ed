// Drives the official MCP TypeScript SDK client for Mnemo4j's Java tests.
//
// Reads one JSON script on stdin:
//   {"transport": "http", "url": "http://127.0.0.1:PORT/mcp", "headers": {"Authorization": "Bearer KEY"},
//    "steps": [{"op": "listTools"}, {"op": "callTool", "name": "add_memory", "arguments": {...}}, ...]}
//   {"transport": "stdio", "command": "/path/to/java", "args": [...], "env": {...}, "cwd": "...", "steps": [...]}
// and prints one JSON object on stdout:
//   {"connected": true, "serverVersion": {...}, "instructions": "...", "results": [{"ok": true, "value": ...}, ...]}
//   {"connected": false, "error": {"name", "message", "code"}}
// A failing step is recorded as {"ok": false, "error": {...}} and the script goes on, so one run can show that
// the session survives bad calls. Ops: listTools, callTool, listPrompts, getPrompt, ping, timedCalls.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const script = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function describe(e) {
  return { name: e?.name ?? "Error", message: String(e?.message ?? e), code: e?.code ?? null };
}

function transportFor(s) {
  if (s.transport === "http") {
    return new StreamableHTTPClientTransport(new URL(s.url), { requestInit: { headers: s.headers ?? {} } });
  }
  if (s.transport === "stdio") {
    return new StdioClientTransport({ command: s.command, args: s.args ?? [], env: s.env, cwd: s.cwd, stderr: "inherit" });
  }
  throw new Error(`unknown transport ${s.transport}`);
}

async function run(client, step) {
  switch (step.op) {
    case "listTools":
      return await client.listTools();
    case "callTool":
      return await client.callTool({ name: step.name, arguments: step.arguments ?? {} });
    case "listPrompts":
      return await client.listPrompts();
    case "getPrompt":
      return await client.getPrompt({ name: step.name, arguments: step.arguments ?? {} });
    case "ping":
      return await client.ping();
    case "timedCalls": {
      // {"op": "timedCalls", "name", "arguments", "warmup": N, "count": N}: round-trip times in milliseconds.
      for (let i = 0; i < (step.warmup ?? 0); i++) await client.callTool({ name: step.name, arguments: step.arguments });
      const millis = [];
      for (let i = 0; i < step.count; i++) {
        const t0 = process.hrtime.bigint();
        await client.callTool({ name: step.name, arguments: step.arguments });
        millis.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return { millis };
    }
    default:
      throw new Error(`unknown op ${step.op}`);
  }
}

const client = new Client({ name: "mnemo4j-ts-test-client", version: "1.0.0" });
let out;
try {
  await client.connect(transportFor(script));
  const results = [];
  for (const step of script.steps ?? []) {
    try {
      results.push({ ok: true, value: await run(client, step) });
    } catch (e) {
      results.push({ ok: false, error: describe(e) });
    }
  }
  out = {
    connected: true,
    serverVersion: client.getServerVersion() ?? null,
    instructions: client.getInstructions() ?? null,
    results,
  };
} catch (e) {
  out = { connected: false, error: describe(e) };
}
try {
  await client.close();
} catch {
  // the transport is already gone; nothing to release
}
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
