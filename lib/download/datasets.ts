/**
 * `download: true` for the datasets: torchvision's files, URLs and md5s (torchvision.json),
 * fetched into the dataset's folder. Fashion-MNIST's four .gz files are verified one by one;
 * CIFAR-10's archive (the Python version) is verified, unpacked into a temporary folder, its
 * files verified against torchvision's md5s, and only then renamed into place.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { extract } from 'tar';
import { ChecksumError, DownloadError } from '../errors.js';
import { mirrorUrl } from './cache.js';
import { downloadFile, fileMatchesChecksum } from './fetch_file.js';
import { datasetTable, type Md5File } from './table.js';

/** Options of a dataset download. */
export interface DatasetDownloadOptions {
  /** A base URL serving the same file names (default: `RESNET_NATIVE_MIRROR`, else torchvision's URLs). */
  mirror?: string;
}

/** Fashion-MNIST's files and where torchvision gets them (replaceable for tests). */
export type FashionMnistResources = { mirrors: readonly string[]; files: readonly Md5File[] };
/** CIFAR-10's archive, its md5 and the md5s of what it holds (replaceable for tests). */
export type Cifar10Resources = {
  url: string;
  file: string;
  md5: string;
  folder: string;
  contents: readonly Md5File[];
};

/** Downloads every Fashion-MNIST file missing from `root` (neither `x.gz` nor `x` there). */
export async function downloadFashionMnist(
  root: string,
  options: DatasetDownloadOptions = {},
  resources: FashionMnistResources = datasetTable['fashion-mnist'],
): Promise<void> {
  for (const { file, md5 } of resources.files) {
    if (existsSync(join(root, file)) || existsSync(join(root, file.replace(/\.gz$/, '')))) continue;
    const url = mirrorUrl(file, `${resources.mirrors[0]!}${file}`, options.mirror);
    await downloadFile({ url, dest: join(root, file), checksum: { md5 }, what: `Fashion-MNIST's ${file}` });
  }
}

/**
 * Makes `root/cifar-10-batches-py` from torchvision's archive: an archive already in `root` is
 * used when its md5 is right, else it is downloaded. The archive is removed once unpacked.
 */
export async function downloadCifar10(
  root: string,
  options: DatasetDownloadOptions = {},
  resources: Cifar10Resources = datasetTable.cifar10,
): Promise<void> {
  await mkdir(root, { recursive: true });
  const archive = join(root, resources.file);
  const checksum = { md5: resources.md5 };
  if (!existsSync(archive) || !(await fileMatchesChecksum(archive, checksum))) {
    const url = mirrorUrl(resources.file, resources.url, options.mirror);
    await downloadFile({ url, dest: archive, checksum, what: `CIFAR-10 (${resources.file})` });
  }
  const tmp = await mkdtemp(join(root, '.extract-'));
  try {
    const wanted = new Set(resources.contents.map((c) => `${resources.folder}/${c.file}`));
    // Only the known files are written (no links, no paths outside the folder).
    const isFile = (e: object) => 'type' in e && (e.type === 'File' || e.type === 'OldFile');
    await extract({
      file: archive,
      cwd: tmp,
      filter: (path, entry) => wanted.has(path.replace(/^\.\//, '')) && isFile(entry),
    });
    for (const { file, md5 } of resources.contents) {
      const path = join(tmp, resources.folder, file);
      if (!existsSync(path))
        throw new DownloadError(`${archive} lacks ${resources.folder}/${file}; delete it and download again`);
      if (!(await fileMatchesChecksum(path, { md5 })))
        throw new ChecksumError(
          `${resources.folder}/${file} in ${archive} does not have torchvision's md5 ${md5}`,
        );
    }
    await rename(join(tmp, resources.folder), join(root, resources.folder));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  await rm(archive, { force: true });
}
