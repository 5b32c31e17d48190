/** The second reference for `npm run bench`: Hocuspocus 3 as it comes (no extensions, no storage). */
import { Server } from '@hocuspocus/server';

const server = new Server({ port: 0, address: '127.0.0.1', quiet: true });
await server.listen();
process.stdout.write(`listening ${server.address.port}\n`);
