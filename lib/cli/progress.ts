/** Progress on the terminal: a bar with loss, throughput and ETA; plain lines when not a TTY. */
import cliProgress from 'cli-progress';
import type { BatchEvent, EpochRecord } from '../train/trainer.js';

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(100 * v).toFixed(2)}%`);

export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly tty = process.stderr.isTTY === true;
  private lastLog = 0;
  /** Epoch, first batch seen and when, for the ETA of plain-line progress. */
  private epochStart = { epoch: -1, batch: 0, time: 0 };

  batch(e: BatchEvent): void {
    if (this.tty) {
      if (this.bar === undefined) {
        this.bar = new cliProgress.SingleBar(
          {
            format: 'epoch {epoch} |{bar}| {value}/{total} | loss {loss} | {ips} img/s | ETA {eta_formatted}',
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(e.batches, 0, { epoch: e.epoch, loss: '-', ips: '-' });
      }
      this.bar.update(e.batch, { epoch: e.epoch, loss: e.loss.toFixed(4), ips: e.imagesPerSec.toFixed(0) });
      return;
    }
    const now = Date.now();
    if (this.epochStart.epoch !== e.epoch)
      this.epochStart = { epoch: e.epoch, batch: e.batch - 1, time: now };
    if (now - this.lastLog > 15_000 || e.batch === e.batches) {
      this.lastLog = now;
      const done = e.batch - this.epochStart.batch;
      const eta = ((now - this.epochStart.time) / Math.max(done, 1)) * (e.batches - e.batch);
      console.log(
        `epoch ${e.epoch} batch ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} ${e.imagesPerSec.toFixed(0)} img/s ETA ${Math.round(eta / 1000)} s`,
      );
    }
  }

  epoch(r: EpochRecord): void {
    this.stop();
    console.log(
      `epoch ${r.epoch}: train loss ${r.train.loss.toFixed(4)} top1 ${pct(r.train.top1)} (${r.train.imagesPerSec.toFixed(0)} img/s, ${r.train.seconds.toFixed(0)} s)` +
        (r.eval
          ? ` | test loss ${r.eval.loss.toFixed(4)} top1 ${pct(r.eval.top1)} top5 ${pct(r.eval.top5)}`
          : ''),
    );
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
