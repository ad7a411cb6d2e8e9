// Baseline for the transfer benchmark: Debian's nginx in the foreground with its own
// config under a temp folder. PUT /put/<name> stores the body on disk through the WebDAV
// module (body to a temp file, then renamed); GET /put/<name> serves it with sendfile.
// Installs Debian's `nginx` package when the binary is missing (bookworm's `nginx` has the
// DAV module built in; nginx-light does not).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

function nginxBuildInfo() {
  const r = spawnSync('nginx', ['-V'], { encoding: 'utf8' });
  return r.error ? undefined : `${r.stdout}${r.stderr}`;
}

/** Makes sure an nginx with the DAV module is on PATH; returns its version line. */
export function ensureNginx() {
  let info = nginxBuildInfo();
  if (info === undefined) {
    console.error("installing nginx from Debian's packages…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['-o', 'DPkg::Lock::Timeout=600', 'update', '-qq'],
      ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-qq', '--no-install-recommends', 'nginx'],
    ]) {
      const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
    }
    info = nginxBuildInfo();
  }
  if (info === undefined) throw new Error('nginx is still missing after the install');
  if (!info.includes('--with-http_dav_module'))
    throw new Error('this nginx has no DAV module (nginx-light?): install Debian\'s "nginx" (or nginx-full / nginx-extras)');
  return /nginx version: (\S+)/.exec(info)?.[1] ?? 'nginx';
}

function waitForPort(port, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts nginx (one worker, like the single Node process it is compared with) on
 * 127.0.0.1:`port`. Uploads land in `<dir>/store/put/`. Returns the master process and a
 * function giving the worker's pid (the process that moves the bytes).
 */
export async function startNginx(dir, port) {
  for (const d of ['store', 'body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const conf = `
${asRoot ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location /put/ {
      root ${dir}/store;
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 0;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited with ${code}: ${err}`))));
  exited.catch(() => {});
  await Promise.race([waitForPort(port), exited]);
  child.removeAllListeners('exit');
  const workerPid = () => {
    const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    if (kids.length !== 1) throw new Error(`expected one nginx worker, found ${kids.length}`);
    return Number(kids[0]);
  };
  return { child, workerPid, storeDir: join(dir, 'store', 'put') };
}
