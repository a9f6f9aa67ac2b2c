// Reads an HdrHistogram interval log with hdr-histogram-js (an implementation we did not
// write) and prints what it found as JSON: intervals, total count, percentiles, max.
"use strict";
const fs = require("fs");
const hdr = require("hdr-histogram-js");

const text = fs.readFileSync(process.argv[2], "utf8");
const reader = new hdr.HistogramLogReader(text);
const total = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3600000000, numberOfSignificantValueDigits: 3 });
let intervals = 0;
const counts = [];
for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
  intervals += 1;
  counts.push(h.totalCount);
  total.add(h);
}
console.log(JSON.stringify({
  intervals,
  counts,
  total: total.totalCount,
  p50: total.getValueAtPercentile(50),
  p99: total.getValueAtPercentile(99),
  max: total.maxValue,
}));
