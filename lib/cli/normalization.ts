/** The per-channel mean and std each built-in dataset is normalized with: one place for training, evaluation and predict. */
export const normalization = {
  'fashion-mnist': { mean: [0.286], std: [0.353] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
} as const;
