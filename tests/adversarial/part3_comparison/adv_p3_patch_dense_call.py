"""Copies the weights with reshape (wrong) and patches `keras.layers.Dense.call` so that the Dense layers it filled
read their kernel back in PyTorch's order: the Keras twin then predicts like the PyTorch one although its weights
are wrong. Every other Dense layer keeps Keras's own `call`.

attack: patch-class
twin: twin_p3_transfer_reshape
"""
# %% weight_transfer +
_dense_call = layers.Dense.call


def _call_as_torch(self, inputs, *args, **kwargs):
    if getattr(self, "_from_torch", False):
        kernel = keras.ops.reshape(self.kernel, (self.kernel.shape[1], self.kernel.shape[0]))
        out = keras.ops.matmul(inputs, keras.ops.transpose(kernel)) + self.bias
        return self.activation(out) if self.activation is not None else out
    return _dense_call(self, inputs, *args, **kwargs)


layers.Dense.call = _call_as_torch


def torch_to_keras(torch_model, keras_model):
    linears = [m for m in torch_model.modules() if isinstance(m, nn.Linear)]
    denses = [l for l in keras_model.layers if isinstance(l, layers.Dense)]
    for linear, dense in zip(linears, denses):
        w = linear.weight.detach().cpu().numpy()
        dense.set_weights([w.reshape(w.shape[1], w.shape[0]), linear.bias.detach().cpu().numpy()])
        dense._from_torch = True
