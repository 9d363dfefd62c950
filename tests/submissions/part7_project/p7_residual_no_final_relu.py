"""ResidualBlock returns x + F(x) without the final ReLU.

expect_fail: residual_block_skip
"""
# %% torch_multitask +
class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x):
        return x + self.fc2(torch.relu(self.fc1(x)))
