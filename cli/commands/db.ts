// rapport db migrate | db migration <name> | db drift
import path from "node:path";
import { getDatabase } from "../../app/lib/db.server";
import { describeTarget } from "../../app/lib/database.server";
import { applyMigrations, createMigration, hasStatements, pendingSchemaChanges } from "../../prisma/migrator";
import { UsageError, type CliIO } from "../io";

const HELP = `Usage:
  rapport db migrate            apply pending migrations to DATABASE_URL (default ./data/pglite)
  rapport db migration <name>   write the next migration from prisma/schema.prisma
  rapport db drift              fail when schema.prisma and prisma/migrations disagree`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "--help" || action === "-h") {
    io.stdout(HELP);
    return action ? 0 : 2;
  }
  switch (action) {
    case "migrate": {
      const db = getDatabase();
      try {
        const applied = await applyMigrations(db.migrationAdapter);
        io.stdout(
          applied.length
            ? `Applied ${applied.length} migration(s) to ${describeTarget(db.target)}:\n${applied.map((m) => `  ${m}`).join("\n")}`
            : `${describeTarget(db.target)} is up to date; no migration to apply.`,
        );
        return 0;
      } finally {
        await db.close();
      }
    }
    case "migration": {
      const name = rest.find((arg) => !arg.startsWith("-"));
      if (!name) throw new UsageError("give the migration a name, e.g. `npm run db:migration -- add_nps_answers`.");
      const folder = await createMigration(name);
      if (!folder) {
        io.stdout("schema.prisma matches the migrations: nothing to write.");
        return 0;
      }
      io.stdout(`Wrote ${path.relative(io.cwd, path.join(folder, "migration.sql"))}. Review it, then run \`npm run db:migrate\`.`);
      return 0;
    }
    case "drift": {
      const sql = await pendingSchemaChanges();
      if (!hasStatements(sql)) {
        io.stdout("No drift: prisma/migrations produce exactly prisma/schema.prisma.");
        return 0;
      }
      io.stderr(
        "Drift: prisma/schema.prisma differs from what prisma/migrations create. Create a migration with " +
          "`npm run db:migration -- <name>`. The missing SQL is:\n" +
          sql,
      );
      return 1;
    }
    default:
      throw new UsageError(`unknown action "${action}".\n${HELP}`);
  }
}
