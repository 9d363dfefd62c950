"""ReduceLROnPlateau with factor 0.2, and EarlyStopping that does not restore the best weights.

expect_fail: callbacks_config
"""
# %% keras_callbacks
def make_callbacks(checkpoint_path, log_dir, csv_path):
    return [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=10),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-7),
        keras.callbacks.ModelCheckpoint(str(checkpoint_path), monitor="val_loss", save_best_only=True),
        keras.callbacks.TensorBoard(log_dir=str(log_dir)),
        keras.callbacks.CSVLogger(str(csv_path)),
    ]
