#!/bin/sh
# Stand-in for Prisma's native schema engine. `prisma generate` only checks that the binary
# exists; it never runs it. Migrations use the WebAssembly engine (prisma/engine.ts).
echo "schema-engine stub: use 'npm run db:migrate' (WebAssembly engine) instead" >&2
exit 1
