norm_cfg = dict(type="GN", num_groups=32, requires_grad=True)
data = dict(samples_per_gpu=8, workers_per_gpu=0)
model = dict(
    type="PLUG",
    pretrained="torchvision://resnet50",
    backbone=dict(type="ResNet", depth=50, num_stages=4, out_indices=(0, 1, 2, 3), frozen_stages=1, norm_cfg=dict(type="BN", requires_grad=True), norm_eval=True, style="pytorch"),
    neck=dict(type="FPN", in_channels=[256, 512, 1024, 2048], out_channels=256, start_level=1, add_extra_convs="on_input", num_outs=1, norm_cfg=norm_cfg),
    bbox_head=dict(type="PLUGHead", num_classes=15, embed_dims=256, strides=[8]),
)
find_unused_parameters = True
# optimizer
optimizer = dict(type="SGD", lr=0.001, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
# learning policy
lr_config = dict(policy="step", warmup="linear", warmup_iters=500, warmup_ratio=0.001, step=[8, 11])
dist_params = dict(backend="nccl")
runner = dict(type="EpochBasedRunner", max_epochs=12)
