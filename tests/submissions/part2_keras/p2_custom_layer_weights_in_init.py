"""MyDense creates its weights in __init__ from a fixed input size instead of in build.

expect_fail: custom_layer_build
"""
# %% custom_layer
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, input_dim=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.w = self.add_weight(shape=(input_dim, units), initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(units,), initializer="zeros", name="b")

    def call(self, inputs):
        return self.activation(inputs @ self.w + self.b)

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=keras.activations.serialize(self.activation))
        return config
