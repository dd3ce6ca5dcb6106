/** torchvision's download table (lib/download/torchvision.json, made by scripts/gen_download_table.py). */
import table from './torchvision.json' with { type: 'json' };

/** One member of a torchvision weights enum, e.g. ResNet50_Weights.IMAGENET1K_V2. */
export interface WeightsEntry {
  url: string;
  /** The file name; its `-<hex>.` part is the sha256 prefix that torch.hub's check_hash verifies. */
  file: string;
  sha256Prefix: string;
  numClasses: number;
  numParams: number;
  /** Evaluation transforms of the recipe (torchvision's ImageClassification). */
  cropSize: number;
  resizeSize: number;
  /** ImageNet-1K top-1 accuracy published with the weights (percent). */
  acc1: number;
  recipe: string;
}

/** An architecture's weights enum: its name, the DEFAULT member and every member by name. */
export interface WeightsEnum {
  enum: string;
  default: string;
  members: Record<string, WeightsEntry>;
}

/** A file with the md5 torchvision checks. */
export interface Md5File {
  file: string;
  md5: string;
}

export const weightsTable: Readonly<Record<string, WeightsEnum>> = table.weights;

export const datasetTable: {
  readonly 'fashion-mnist': { mirrors: string[]; files: Md5File[] };
  readonly cifar10: { url: string; file: string; md5: string; folder: string; contents: Md5File[] };
} = table.datasets;
