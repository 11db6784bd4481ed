// Drives Mem0's official TypeScript client (mem0ai, the version pinned in package.json) against a Mnemo4j server:
// every call a Mem0 app makes, in order. Prints one JSON object with what each call returned (or, for the calls
// that must fail, the client's error); Mem0ClientTest asserts on it. Exits 1 on any unexpected failure.
// Environment: MNEMO_URL (the server), MNEMO_KEY (a tenant key); MEM0_TELEMETRY=false keeps the client offline.
import MemoryClient from "mem0ai";

const host = process.env.MNEMO_URL;
const apiKey = process.env.MNEMO_KEY;
if (!host || !apiKey) {
  console.error("MNEMO_URL and MNEMO_KEY are required");
  process.exit(2);
}

/** The client's error as data: its class and HTTP code. */
async function failure(call) {
  try {
    const r = await call();
    return { unexpected: r };
  } catch (e) {
    return { name: e.name, code: e.errorCode ?? null, message: String(e.message).slice(0, 300) };
  }
}

const out = {};
const client = new MemoryClient({ apiKey, host });
await client.ping();
out.ping = { organizationId: client.organizationId, projectId: client.projectId };

out.add = await client.add([{ role: "user", content: "I love hiking in the Alps" }], {
  userId: "alice",
  infer: false,
  metadata: { topic: "outdoors" },
});
out.addText = await client.add("I drink green tea every morning", { userId: "alice", infer: false });
await client.add([{ role: "user", content: "Bob prefers cycling to work" }], { userId: "bob", infer: false });
await client.add([{ role: "assistant", content: "I always answer in French" }], { agentId: "helper", infer: false });
out.addWithoutEntity = await failure(() => client.add("an orphan memory", { infer: false }));

out.search = await client.search("outdoor hobbies in the mountains", { filters: { user_id: "alice" }, topK: 5 });
out.getAllPage = await client.getAll({ filters: { user_id: "alice" }, page: 1, pageSize: 1 });
out.getAllPast = await client.getAll({ filters: { user_id: "alice" }, startDate: "2000-01-01", endDate: "2000-01-31" });
out.getAllToday = await client.getAll({ filters: { user_id: "alice" }, startDate: "2000-01-01" });

const hikingId = out.add.results[0].id;
const teaId = out.addText.results[0].id;
out.get = await client.get(hikingId);
out.update = await client.update(hikingId, { text: "I love hiking in the Dolomites", metadata: { topic: "mountains" } });
out.updateTimestamp = await failure(() => client.update(hikingId, { text: "moved", timestamp: 1735689600 }));
out.history = await client.history(hikingId);
out.batchUpdate = await client.batchUpdate([{ memoryId: teaId, text: "I drink green tea every afternoon" }]);
out.afterBatch = await client.get(teaId);

out.users = await client.users();
out.usersPage2 = await client.users({ page: 2, pageSize: 2 });

out.delete = await client.delete(teaId);
out.getDeleted = await failure(() => client.get(teaId));
out.deleteUser = await client.deleteUser({ entity_type: "agent", entity_id: "helper" });
out.deleteUsers = await client.deleteUsers({ userId: "bob" });
out.deleteAll = await client.deleteAll({ userId: "alice" });
out.usersAfter = await client.users();

console.log(JSON.stringify(out));
