// svg_check.js CHROMIUM FILE.svg FRAME SEARCH: drives a real headless Chromium
// (puppeteer-core) over a flametop SVG.  Prints one "ok ..." or "bad ..." line
// per check:
//   render   a screenshot holds the frames' colours (counted from its pixels)
//   click    a click on FRAME zooms to it: FRAME full width, a sibling hidden
//   reset    a click on the root zooms out: every frame shown again
//   search   Ctrl-F and SEARCH highlight matches and print "Matched: X%"
const puppeteer = require('puppeteer-core');

const [chromium, file, frameName, search] = process.argv.slice(2);

async function countFramePixels(page, png) {
	// decode the screenshot in the page itself: a canvas gives its pixels
	return page.evaluate(async (b64) => {
		const img = new Image();
		img.src = 'data:image/png;base64,' + b64;
		await img.decode();
		const c = document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
		c.width = img.width; c.height = img.height;
		const g = c.getContext('2d');
		g.drawImage(img, 0, 0);
		const px = g.getImageData(0, 0, c.width, c.height).data;
		const fills = new Set();
		for (const r of document.querySelectorAll('g.f rect')) {
			const m = r.getAttribute('fill').match(/\d+/g);
			if (m) fills.add(m.join(','));
		}
		let n = 0;
		for (let i = 0; i < px.length; i += 4)
			if (fills.has(px[i] + ',' + px[i + 1] + ',' + px[i + 2])) n++;
		return n;
	}, png);
}

function frameBox(page, name) {
	return page.evaluate((name) => {
		for (const g of document.querySelectorAll('g.f')) {
			const t = g.querySelector('title').textContent;
			if (t.substring(0, t.lastIndexOf(' (')) !== name || g.style.display === 'none')
				continue;
			const r = g.querySelector('rect').getBoundingClientRect();
			return { x: r.x + r.width / 2, y: r.y + r.height / 2, w: r.width };
		}
		return null;
	}, name);
}

(async () => {
	const browser = await puppeteer.launch({ executablePath: chromium, headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
	try {
		const page = await browser.newPage();
		await page.setViewport({ width: 1300, height: 900 });
		await page.goto('file://' + file, { waitUntil: 'load' });
		const png = await page.screenshot({ encoding: 'base64' });
		const pixels = await countFramePixels(page, png);
		console.log(pixels > 5000 ? `ok render ${pixels} frame pixels` : `bad render ${pixels} frame pixels`);

		const before = await frameBox(page, frameName);
		const all = await frameBox(page, 'all');
		if (!before || !all) { console.log('bad click: no frame ' + frameName); return; }
		await page.mouse.click(before.x, before.y);
		const after = await frameBox(page, frameName);
		const zoomed = await page.evaluate(() => document.documentElement.getAttribute('data-zoomed'));
		const hidden = await page.evaluate(() =>
			[...document.querySelectorAll('g.f')].filter(g => g.style.display === 'none').length);
		const full = after && Math.abs(after.w - all.w) < 2;
		console.log(full && zoomed === frameName && hidden > 0 && before.w < all.w - 2
			? `ok click ${frameName}: ${before.w.toFixed(0)} -> ${after.w.toFixed(0)} px, ${hidden} hidden`
			: `bad click ${frameName}: ${JSON.stringify({ before, after, zoomed, hidden })}`);

		const root = await frameBox(page, 'all');
		await page.mouse.click(root.x, root.y);
		const shown = await page.evaluate(() =>
			[...document.querySelectorAll('g.f')].filter(g => g.style.display === 'none').length);
		const back = await frameBox(page, frameName);
		console.log(shown === 0 && Math.abs(back.w - before.w) < 1 ? 'ok reset' : `bad reset ${shown} hidden`);

		page.on('dialog', (d) => d.accept(search));
		await page.keyboard.down('Control');
		await page.keyboard.press('f');
		await page.keyboard.up('Control');
		await new Promise((r) => setTimeout(r, 300));
		const matched = await page.evaluate(() => document.getElementById('matched').textContent);
		const marked = await page.evaluate(() => document.querySelectorAll('g.f.match').length);
		console.log(/^Matched: [0-9.]+%$/.test(matched) && marked > 0
			? `ok search ${matched} (${marked} frames)` : `bad search '${matched}' ${marked}`);
	} finally {
		await browser.close();
	}
})().catch((e) => { console.log('bad error ' + e.message); process.exit(1); });
