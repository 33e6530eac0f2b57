// SPDX-License-Identifier: MIT
// A JavaScript workload with one known hot function, for the JIT tests:
// node --perf-basic-prof jit.js SECONDS.  Prints "ready PID" once running.
'use strict';

function innerJsFunction(n) {
	let s = 0;
	for (let i = 0; i < n; i++)
		s += Math.sqrt(i) * (i & 7);
	return s;
}

function outerJsFunction() {
	let t = 0;
	for (let k = 0; k < 200; k++)
		t += innerJsFunction(10000);
	return t;
}

const end = Date.now() + (Number(process.argv[2]) || 10) * 1000;
let x = 0;
console.log(`ready ${process.pid}`);
while (Date.now() < end)
	x += outerJsFunction();
console.log(x > 0 ? 'done' : '?');
