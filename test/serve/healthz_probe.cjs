// Probes GET <url>/healthz every 25 ms on one kept-alive connection, in its own process (so
// the load generator's busy event loop does not delay it), until stdin closes; then prints
// the latencies in ms as JSON, and with --at a second list: when each probe started (ms
// since the probe began), for latencies over time.
/* global performance, setTimeout */
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const times = [];
const at = [];
const withTimes = process.argv.includes('--at');
let running = true;
process.stdin.on('end', () => (running = false));
process.stdin.resume();
function probe() {
  if (!running) return void process.stdout.write(JSON.stringify(withTimes ? { times, at } : times));
  const t0 = performance.now();
  at.push(Math.round(t0));
  http
    .get(`${process.argv[2]}/healthz`, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        times.push(performance.now() - t0);
        setTimeout(probe, 25);
      });
    })
    .on('error', (err) => {
      process.stderr.write(String(err));
      process.exit(1);
    });
}
probe();
