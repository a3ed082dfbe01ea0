// rdf-validate-shacl (a SHACL Core engine in JavaScript, independent of pySHACL) validates data
// against shapes and prints its results as JSON, so a Python test can compare both engines.
//
//   node shacl-validate.mjs <manifest.json>
// manifest: {"shapes": "<shapes file>", "cases": {"<name>": ["<data file>", …], …}}
// prints:   {"<name>": {"conforms": bool, "results": [{focus, path, shape, component}]}, …}
// Files are Turtle or N-Triples, read from disk: nothing is fetched.
import { readFile } from "node:fs/promises";
import rdf from "@zazuko/env-node";
import SHACLValidator from "rdf-validate-shacl";

const SH = "http://www.w3.org/ns/shacl#";
const manifest = JSON.parse(await readFile(process.argv[2], "utf8"));

async function load(paths) {
  const dataset = rdf.dataset();
  for (const path of paths) {
    for (const quad of await rdf.dataset().import(rdf.fromFile(path))) dataset.add(quad);
  }
  return dataset;
}

const shapes = await load([manifest.shapes]);

// The named shape a result belongs to: a blank property shape belongs to its node shape.
function owner(term) {
  if (term.termType === "NamedNode") return term.value;
  for (const quad of shapes.match(null, rdf.namedNode(SH + "property"), term)) {
    return owner(quad.subject);
  }
  return "?";
}

function pathOf(term) {
  if (!term) return "";
  if (term.termType === "NamedNode") return term.value;
  for (const quad of shapes.match(term, rdf.namedNode(SH + "inversePath"), null)) {
    return "^" + quad.object.value;
  }
  return "?";
}

const out = {};
for (const [name, files] of Object.entries(manifest.cases)) {
  const validator = new SHACLValidator(shapes, { factory: rdf });
  const report = await validator.validate(await load(files));
  out[name] = {
    conforms: report.conforms,
    results: report.results.map((r) => ({
      focus: r.focusNode.value,
      path: pathOf(r.path),
      shape: owner(r.sourceShape),
      component: r.sourceConstraintComponent ? r.sourceConstraintComponent.value : "",
    })),
  };
}
process.stdout.write(JSON.stringify(out));
