// Usage: scripts/check-polkadotjs.sh (or: npm install && node check.mjs $CARGO_TARGET_DIR/ink/*/*.contract)
// Loads each .contract bundle, or metadata-only .json, the way polkadot.js apps / Contracts UI do (Abi
// from @polkadot/api-contract)
import { Abi } from '@polkadot/api-contract';
import { readFileSync } from 'fs';
for (const path of process.argv.slice(2)) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const abi = new Abi(json);
  const events = abi.events.length;
  const code = json.source.wasm ? `wasm ${json.source.wasm.length / 2 - 1} bytes` : 'metadata only';
  console.log(`${path.split('/').pop()}: metadata v${json.version}, ${json.source.language}, ` +
    `${abi.constructors.length} constructors, ${abi.messages.length} messages, ${events} events, ` +
    `${code}; first message ${abi.messages[0].method}(${abi.messages[0].args.map(a => a.name).join(', ')})`);
}
