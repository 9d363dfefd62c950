"""The transfer model's forward returns softmax probabilities instead of logits.

expect_fail: transfer_torch_head
"""
# %% transfer +
class SoftmaxTransfer(TransferModel):
    def forward(self, x):
        return torch.softmax(self.head(self.base(x)), dim=1)


def build_transfer_model(base, num_classes):
    return SoftmaxTransfer(base, num_classes)
