// node spec_diff.mjs OLD.json NEW.json [NEW.json ...]: the changes from one OpenAPI document
// to each of the others, as two tools classify them, as a JSON array with one object for
// each NEW document:
// - "smart": api-smart-diff's, each {type, action, path, description};
// - "openapi_diff": openapi-diff's (Atlassian's; it compares request and response bodies as
//   JSON schemas, by the values each admits), each {type, code, location}.
// Tried and not used: @pb33f/openapi-changes (its install script downloads its binary from
// GitHub, which only registries may serve here), @useoptic/optic 1.0.9 (fails at start on
// Node.js 24: its bundled Spectral cannot compile a rule's schema); Redocly CLI and
// Spectral lint one document and diff none.
import { readFileSync } from "node:fs";
import { apiCompare } from "api-smart-diff";
import openapiDiff from "openapi-diff";

const [before, ...afters] = process.argv.slice(2).map((path) => readFileSync(path, "utf8"));

async function changes(after) {
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
  return { smart, openapi_diff };
}

const found = [];
for (const after of afters) found.push(await changes(after));
process.stdout.write(JSON.stringify(found));
