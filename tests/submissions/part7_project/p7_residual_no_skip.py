"""ResidualBlock forgets the skip connection: it returns relu(F(x)).

expect_fail: residual_block_skip
"""
# %% torch_multitask +
class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)

    def forward(self, x):
        return torch.relu(self.fc2(torch.relu(self.fc1(x))))
