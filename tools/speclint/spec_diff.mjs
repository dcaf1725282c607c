// node spec_diff.mjs OLD.json NEW.json: the changes between two OpenAPI documents, as
// api-smart-diff classifies them, one JSON array of {type, action, path, description}.
import { readFileSync } from "node:fs";
import { apiCompare } from "api-smart-diff";

const [before, after] = process.argv.slice(2).map((path) => JSON.parse(readFileSync(path, "utf8")));
const { diffs } = apiCompare(before, after);
const changes = diffs.map(({ type, action, path, description }) => ({
  type,
  action,
  path: path.map(String),
  description: description ?? null,
}));
process.stdout.write(JSON.stringify(changes));
