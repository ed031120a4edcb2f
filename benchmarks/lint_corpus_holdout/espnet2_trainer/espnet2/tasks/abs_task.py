import argparse


class AbsTask:
    @classmethod
    def get_parser(cls) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(description="base parser")
        group = parser.add_argument_group("Trainer related")
        group.add_argument("--max_epoch", type=int, default=40)
        group.add_argument("--grad_clip", type=float, default=5.0)
        group.add_argument("--grad_clip_type", type=float, default=2.0)
        group.add_argument("--accum_grad", type=int, default=1, help="The number of gradient accumulation")
        group.add_argument("--use_amp", type=bool, default=False, help="Enable torch.cuda.amp")
        group.add_argument("--multiprocessing_distributed", type=bool, default=False)
        return parser
