import os

dataset = "LJSpeech"
encoder_layer = 4
encoder_hidden = 256
decoder_layer = 4
decoder_hidden = 256
checkpoint_path = os.path.join("./ckpt/", dataset)

# Optimizer
batch_size = 16
epochs = 1000
n_warm_up_step = 4000
grad_clip_thresh = 1.0

betas = (0.9, 0.98)
eps = 1e-9
weight_decay = 1e-6

save_step = 10000
log_step = 50
