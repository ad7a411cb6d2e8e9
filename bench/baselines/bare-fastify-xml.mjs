// Baseline for the API-call benchmark: a bare Fastify route that answers GET /rest/
// with the same XML auth.checkSession sends, doing no work at all.
import Fastify from 'fastify';

const body = `<?xml version="1.0" encoding="UTF-8"?>
<result method="auth.checkSession" status="ok">
    <session>ok</session>
    <bandwidth_left>-1</bandwidth_left>
    <diskspace_left>2147483647</diskspace_left>
</result>
`;
const app = Fastify({ logger: false });
app.get('/rest/', async (_req, reply) => reply.header('content-type', 'text/xml; charset=utf-8').send(body));
const port = Number(process.env.PORT ?? 0);
await app.listen({ host: '127.0.0.1', port });
console.log(`listening on ${app.server.address().port}`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
