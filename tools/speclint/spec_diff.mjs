// node spec_diff.mjs OLD.json NEW.json: the changes between two OpenAPI documents, as two
// tools classify them, in one JSON object:
// - "smart": api-smart-diff's, each {type, action, path, description};
// - "openapi_diff": openapi-diff's (Atlassian's; it compares request and response bodies as
//   JSON schemas), each {type, code, location}.
import { readFileSync } from "node:fs";
import { apiCompare } from "api-smart-diff";
import openapiDiff from "openapi-diff";

const [before, after] = process.argv.slice(2).map((path) => readFileSync(path, "utf8"));
const { diffs } = apiCompare(JSON.parse(before), JSON.parse(after));
const smart = diffs.map(({ type, action, path, description }) => ({
  type,
  action,
  path: path.map(String),
  description: description ?? null,
}));
const outcome = await openapiDiff.diffSpecs({
  sourceSpec: { content: before, location: "old.json", format: "openapi3" },
  destinationSpec: { content: after, location: "new.json", format: "openapi3" },
});
const openapi_diff = [
  ...(outcome.breakingDifferences ?? []),
  ...outcome.nonBreakingDifferences,
  ...outcome.unclassifiedDifferences,
].map(({ type, code, sourceSpecEntityDetails, destinationSpecEntityDetails }) => ({
  type,
  code,
  location: [...sourceSpecEntityDetails, ...destinationSpecEntityDetails][0]?.location ?? "",
}));
process.stdout.write(JSON.stringify({ smart, openapi_diff }));
