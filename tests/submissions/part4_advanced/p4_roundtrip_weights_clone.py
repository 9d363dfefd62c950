"""Saves only the weights and rebuilds the model with clone_model: no native .keras file at `path`.

expect_fail: keras_roundtrip_native
"""
# %% keras_roundtrip
def save_and_reload(model, path):
    weights_path = str(path).replace(".keras", ".weights.h5")
    model.save_weights(weights_path)
    clone = keras.models.clone_model(model)
    clone.load_weights(weights_path)
    return clone
