"""forward runs the base under torch.no_grad(): the head trains, but after unfreeze_last the unfrozen layers of
the base never receive a gradient, so gradual unfreezing silently does nothing.

expect_fail: transfer_unfreeze
"""
# %% transfer +
class NoGradTransfer(TransferModel):
    def forward(self, x):
        with torch.no_grad():
            features = self.base(x)
        return self.head(features)


def build_transfer_model(base, num_classes):
    return NoGradTransfer(base, num_classes)
