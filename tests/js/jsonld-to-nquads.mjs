// jsonld.js (the JSON-LD processor of most JavaScript RDF tools) reads one of our documents and
// prints its N-Quads. Its document loader allows only what the test allows: http(s) URLs on
// 127.0.0.1 (the real server under test) or file: URLs (a release folder, offline). Anything else
// is refused, so a document that names a context on the internet fails here.
//
//   node jsonld-to-nquads.mjs <document URL> http|file
import { readFile } from "node:fs/promises";
import jsonld from "jsonld";

const [url, allowed] = process.argv.slice(2);

async function documentLoader(requested) {
  const target = new URL(requested);
  if (allowed === "http" && target.protocol === "http:" && target.hostname === "127.0.0.1") {
    const response = await fetch(requested, {
      headers: { Accept: "application/ld+json, application/json;q=0.9" },
    });
    if (!response.ok) throw new Error(`${requested}: HTTP ${response.status}`);
    return { contextUrl: null, documentUrl: response.url, document: await response.json() };
  }
  if (allowed === "file" && target.protocol === "file:") {
    const text = await readFile(target, "utf8");
    return { contextUrl: null, documentUrl: requested, document: JSON.parse(text) };
  }
  throw new Error(`refused to load ${requested} (only ${allowed} on this machine is allowed)`);
}

try {
  const nquads = await jsonld.toRDF(url, { format: "application/n-quads", documentLoader });
  process.stdout.write(nquads);
} catch (error) {
  process.stderr.write(`jsonld.js: ${error.message}\n${error.details ? JSON.stringify(error.details) : ""}\n`);
  process.exit(1);
}
