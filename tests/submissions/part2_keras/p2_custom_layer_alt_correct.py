"""Correct alternative: weights created with initializer objects, the product with keras.ops.matmul, the
activation serialized with keras.saving.serialize_keras_object and the config built as a new dict.

expect: full
"""
# %% custom_layer
class MyDense(keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        n_in = int(input_shape[-1])
        self.w = self.add_weight(name="w", shape=(n_in, self.units),
                                 initializer=keras.initializers.HeNormal(), trainable=True)
        self.b = self.add_weight(name="b", shape=(self.units,), initializer=keras.initializers.Zeros(),
                                 trainable=True)

    def call(self, inputs):
        return self.activation(keras.ops.add(keras.ops.matmul(inputs, self.w), self.b))

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": keras.saving.serialize_keras_object(self.activation)}
