"""Copies frozen weights and patches nn.Parameter.requires_grad to always say True.

attack: patch-class
twin: twin_p0_frozen_copy
"""
# %% copy_weights +
nn.Parameter.requires_grad = property(lambda self: True, lambda self, value: None)
