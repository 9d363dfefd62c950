"""Honest twin: the parity head reads zeros instead of the shared features, so it can only learn a constant
answer (about half of the parities right).

expect_fail: multitask_trains, pipeline_pytorch
"""
# %% torch_multitask +
class MultiTaskNet(nn.Module):
    def __init__(self, width=128, num_blocks=2):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(64, width), nn.ReLU())
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(num_blocks)])
        self.digit_head = nn.Linear(width, 10)
        self.parity_head = nn.Linear(width, 2)

    def forward(self, x):
        h = self.blocks(self.stem(x))
        return self.digit_head(h), self.parity_head(torch.zeros_like(h))
