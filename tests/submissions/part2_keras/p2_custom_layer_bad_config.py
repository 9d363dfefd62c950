"""get_config returns only {"units": ...}: no super().get_config() (name lost) and no activation.

expect_fail: custom_layer_config
"""
# %% custom_layer
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return self.activation(inputs @ self.w + self.b)

    def get_config(self):
        return {"units": self.units}
