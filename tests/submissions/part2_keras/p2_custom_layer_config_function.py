"""get_config stores the activation function itself instead of keras.activations.serialize(...): from_config
works in memory, but the config cannot be written as JSON, so a saved model cannot hold the layer.

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
        config = super().get_config()
        config.update(units=self.units, activation=self.activation)
        return config
