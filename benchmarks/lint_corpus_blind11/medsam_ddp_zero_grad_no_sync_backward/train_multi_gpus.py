import argparse

import monai
import torch
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from segment_anything import sam_model_registry
from torch.utils.data import DataLoader

from npy_dataset import NpyDataset

parser = argparse.ArgumentParser()
parser.add_argument("-i", "--tr_npy_path", type=str, default="data/npy/CT_Abd")
parser.add_argument("-model_type", type=str, default="vit_b")
parser.add_argument("-checkpoint", type=str, default="work_dir/SAM/sam_vit_b_01ec64.pth")
parser.add_argument("-num_epochs", type=int, default=1000)
parser.add_argument("-batch_size", type=int, default=8)
parser.add_argument("-weight_decay", type=float, default=0.01)
parser.add_argument("-lr", type=float, default=0.0001)
parser.add_argument("-use_amp", action="store_true", default=False)
parser.add_argument("--world_size", type=int)
parser.add_argument("--node_rank", type=int, default=0)
parser.add_argument("--bucket_cap_mb", type=int, default=25)
parser.add_argument("--grad_acc_steps", type=int, default=1, help="Gradient accumulation steps before syncing gradients for backprop")
parser.add_argument("--init_method", type=str, default="env://")
args = parser.parse_args()


class MedSAM(nn.Module):
    def __init__(self, image_encoder, mask_decoder, prompt_encoder):
        super().__init__()
        self.image_encoder = image_encoder
        self.mask_decoder = mask_decoder
        self.prompt_encoder = prompt_encoder
        for param in self.prompt_encoder.parameters():
            param.requires_grad = False

    def forward(self, image, box):
        image_embedding = self.image_encoder(image)
        with torch.no_grad():
            box_torch = torch.as_tensor(box, dtype=torch.float32, device=image.device)[:, None, :]
            sparse, dense = self.prompt_encoder(points=None, boxes=box_torch, masks=None)
        low_res, _ = self.mask_decoder(
            image_embeddings=image_embedding,
            image_pe=self.prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=False,
        )
        return F.interpolate(low_res, size=image.shape[2:], mode="bilinear", align_corners=False)


def main_worker(gpu, ngpus_per_node, args):
    rank = int(args.node_rank) * ngpus_per_node + gpu
    torch.cuda.set_device(gpu)
    torch.distributed.init_process_group(backend="nccl", init_method=args.init_method, rank=rank, world_size=args.world_size)

    sam_model = sam_model_registry[args.model_type](checkpoint=args.checkpoint)
    medsam_model = MedSAM(sam_model.image_encoder, sam_model.mask_decoder, sam_model.prompt_encoder).cuda()
    medsam_model = nn.parallel.DistributedDataParallel(
        medsam_model, device_ids=[gpu], output_device=gpu, gradient_as_bucket_view=True, find_unused_parameters=True, bucket_cap_mb=args.bucket_cap_mb
    )
    medsam_model.train()

    img_mask_encdec_params = list(medsam_model.module.image_encoder.parameters()) + list(medsam_model.module.mask_decoder.parameters())
    optimizer = torch.optim.AdamW(img_mask_encdec_params, lr=args.lr, weight_decay=args.weight_decay)
    seg_loss = monai.losses.DiceLoss(sigmoid=True, squared_pred=True, reduction="mean")
    ce_loss = nn.BCEWithLogitsLoss(reduction="mean")

    train_dataset = NpyDataset(args.tr_npy_path)
    sampler = torch.utils.data.distributed.DistributedSampler(train_dataset)
    loader = DataLoader(train_dataset, batch_size=args.batch_size, num_workers=8, pin_memory=True, sampler=sampler)
    if args.use_amp:
        scaler = torch.cuda.amp.GradScaler()

    for epoch in range(args.num_epochs):
        loader.sampler.set_epoch(epoch)
        for step, (image, gt2D, boxes, _) in enumerate(loader):
            optimizer.zero_grad()
            boxes_np = boxes.detach().cpu().numpy()
            image, gt2D = image.cuda(), gt2D.cuda()
            if args.use_amp:
                with torch.autocast(device_type="cuda", dtype=torch.float16):
                    medsam_pred = medsam_model(image, boxes_np)
                    loss = seg_loss(medsam_pred, gt2D) + ce_loss(medsam_pred, gt2D.float())
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad()
            else:
                medsam_pred = medsam_model(image, boxes_np)
                loss = seg_loss(medsam_pred, gt2D) + ce_loss(medsam_pred, gt2D.float())
                if args.grad_acc_steps > 1:
                    loss = loss / args.grad_acc_steps
                    if (step + 1) % args.grad_acc_steps == 0:
                        loss.backward()
                        optimizer.step()
                        optimizer.zero_grad()
                    else:
                        with medsam_model.no_sync():
                            loss.backward()
                else:
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()


def main():
    ngpus_per_node = torch.cuda.device_count()
    mp.spawn(main_worker, nprocs=ngpus_per_node, args=(ngpus_per_node, args))


if __name__ == "__main__":
    main()
