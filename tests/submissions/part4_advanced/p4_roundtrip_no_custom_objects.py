"""save_and_reload calls load_model without custom_objects: unregistered custom layers cannot be rebuilt.

expect_fail: keras_roundtrip_custom
"""
# %% keras_roundtrip
def save_and_reload(model, path):
    model.save(path)
    return keras.models.load_model(path)
