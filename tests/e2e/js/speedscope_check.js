// speedscope_check.js SCHEMA FILE [TOTAL]: FILE is valid against speedscope's
// file-format schema (from its npm package, checked with ajv), its samples
// index its frames, and (given TOTAL) its weights add up to TOTAL.
const Ajv = require('ajv');
const fs = require('fs');

const [schemaPath, file, total] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath));
delete schema.$schema;	// draft-07's meta-schema: ajv knows it by default
const ajv = new Ajv({ strict: false, allErrors: true });
const doc = JSON.parse(fs.readFileSync(file));
if (!ajv.validate(schema, doc)) {
	console.log('invalid: ' + JSON.stringify(ajv.errors.slice(0, 3)));
	process.exit(1);
}
const frames = doc.shared.frames.length;
let sum = 0;
for (const p of doc.profiles) {
	if (p.samples.length !== p.weights.length) { console.log('samples and weights differ'); process.exit(1); }
	for (const s of p.samples)
		for (const i of s)
			if (i < 0 || i >= frames) { console.log('frame index ' + i + ' out of range'); process.exit(1); }
	sum += p.weights.reduce((a, b) => a + b, 0);
}
if (total !== undefined && sum !== Number(total)) {
	console.log(`weights add up to ${sum}, not ${total}`);
	process.exit(1);
}
console.log('valid');
