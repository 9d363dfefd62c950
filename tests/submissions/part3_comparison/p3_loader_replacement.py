"""Shuffling with a RandomSampler with replacement: some samples come twice per epoch and others never.

expect_fail: torch_loader_epoch
"""
# %% datasets +
from torch.utils.data import RandomSampler, SequentialSampler


def make_torch_loader(X, y, batch_size=32, shuffle=True, seed=0):
    dataset = ArrayDataset(X, y)
    generator = torch.Generator().manual_seed(seed)
    sampler = (RandomSampler(dataset, replacement=True, generator=generator) if shuffle
               else SequentialSampler(dataset))
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler)
