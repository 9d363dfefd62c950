"""MultiTaskNet ignores num_blocks and always builds two residual blocks.

expect_fail: multitask_net_outputs
"""
# %% torch_multitask +
class MultiTaskNet(nn.Module):
    def __init__(self, width=128, num_blocks=2):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(64, width), nn.ReLU())
        self.blocks = nn.Sequential(ResidualBlock(width), ResidualBlock(width))
        self.digit_head = nn.Linear(width, 10)
        self.parity_head = nn.Linear(width, 2)

    def forward(self, x):
        h = self.blocks(self.stem(x))
        return self.digit_head(h), self.parity_head(h)
