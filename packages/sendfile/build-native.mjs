// Compiles the addon with node-gyp when the package is installed. sendfile is an
// optimisation: where it cannot be built (not Linux, no compiler), the install still
// succeeds and the server sends files through user space instead, so say so and go on.
import { spawnSync } from 'node:child_process';

if (process.platform !== 'linux') {
  console.log('@sendbay/sendfile: not Linux, downloads will be copied through user space');
  process.exit(0);
}
// npm runs install scripts with its own node-gyp at hand.
const nodeGyp = process.env.npm_config_node_gyp;
const [command, args] = nodeGyp ? [process.execPath, [nodeGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const result = spawnSync(command, args, { stdio: 'inherit', cwd: import.meta.dirname });
if (result.status !== 0) {
  console.warn('@sendbay/sendfile: the addon did not build; downloads will be copied through user space');
}
