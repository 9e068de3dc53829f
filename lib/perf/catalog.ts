/**
 * A catalog of GPU specifications and decoder-only LLM architectures for the
 * performance model. Pure data plus one helper; every figure carries its
 * source in a comment beside it.
 *
 * Conventions:
 * - GPU FLOP/s are dense (no 2:4 structured sparsity). NVIDIA datasheets mark
 *   tensor-core figures "with sparsity"; those are halved here, and the
 *   comment gives the datasheet figure and the division.
 * - Memory sizes are what the card exposes to CUDA, the total an engine
 *   sizes its KV cache from (vLLM's `total_gpu_memory`, from
 *   cudaMemGetInfo): binary units, since a datasheet's "80GB" is HBM stacks
 *   of binary size. Where a reading is published it is used ([MEM-H100],
 *   [MEM-A100]); otherwise the datasheet's figure read as GiB.
 * - Model fields are copied from each model's Hugging Face `config.json`
 *   (field names in the comments), or from its paper where noted.
 *
 * @module
 */

// Sources, cited by tag in the comments below.
//
// [MEM-H100] vLLM's start-up log on an H100-80G: "total_gpu_memory
//   79.22GiB" (vLLM PR #10511, https://github.com/vllm-project/vllm/pull/10511,
//   and PR #12126 "works on H100-80G now", both by youkaichao, 2024-12 and
//   2025-01). nvidia-smi shows 81559 MiB, part of it not allocatable.
// [MEM-A100] PyTorch out-of-memory messages on A100 80GB: "total capacity of
//   79.25 GiB" (e.g. levihsu/OOTDiffusion issue #235, 2025-03-17).
//
// [A100-DS]  NVIDIA A100 Tensor Core GPU datasheet,
//   https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf
// [H100-DS]  NVIDIA H100 Tensor Core GPU datasheet,
//   https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet
// [H100-WP]  NVIDIA H100 Tensor Core GPU Architecture whitepaper (dense
//   table), https://resources.nvidia.com/en-us-tensor-core/gtc22-whitepaper-hopper
// [H200-DS]  NVIDIA H200 Tensor Core GPU datasheet / product page,
//   https://www.nvidia.com/en-us/data-center/h200/
// [DGXB200]  NVIDIA DGX B200 datasheet / product page (8-GPU system totals),
//   https://www.nvidia.com/en-us/data-center/dgx-b200/
// [HGXB200]  NVIDIA HGX B200 spec table ("Individual Blackwell GPU
//   Specifications", per GPU, sparse), https://www.nvidia.com/en-us/data-center/hgx/
// [H20-TH]   Tom's Hardware, "New Nvidia AI GPUs designed to get around US
//   export bans come to China: H20, L20 and L2" (2024-01), HGX H20 spec table
//   from a retail listing: "96 GB HBM3", "4.0 TB/s", INT8 | FP8 Tensor
//   "296 | 296", BF16 | FP16 Tensor "148 | 148", TF32 Tensor "74",
//   https://www.tomshardware.com/pc-components/gpus/new-nvidia-ai-gpus-designed-to-get-around-us-export-bans-come-to-china-h20-l20-and-l2-to-fill-void-left-by-restricted-models
//   NVIDIA publishes no English H20 datasheet that we found.
// [H20-TT]   TweakTown, "NVIDIA's tweaked H20 AI GPU enters mass production
//   in Q2 2024" (400 W, "8-way configuration inside of an HGX solution",
//   "900GB/sec NVLink", performance density 2.9 against the H100's 19.4),
//   https://www.tweaktown.com/news/95224/nvidias-tweaked-h20-ai-gpu-enters-mass-production-in-q2-2024-destined-for-china/index.html
// [H20-CN]   zangshuxian.com (Chinese): H20 "FP16稠密算力为148TFLOPS" (dense
//   FP16 148 TFLOPS), INT8 296, TF32 74, FP32 44 TFLOPS,
//   https://zangshuxian.com/new/674733024499207168
// [L40S-DS]  NVIDIA L40S datasheet,
//   https://resources.nvidia.com/en-us-l40s/l40s-datasheet-28413
// [MI300-ROCM] AMD ROCm docs, "AMD Instinct MI300 series microarchitecture",
//   peak-performance table for MI300X,
//   https://rocm.docs.amd.com/en/latest/conceptual/gpu-arch/mi300.html
// [MI300X-AMD] AMD Instinct MI300X product page / data sheet,
//   https://www.amd.com/en/products/accelerators/instinct/mi300/mi300x.html
// [MI300-HC] AMD MI300X Hot Chips 2024 talk: "Infinity Fabric link bandwidth
//   896 GB/s per GPU" (as summarized in stas00/ml-engineering,
//   compute/accelerator/README.md, Infinity Fabric table: 7 links, 896 GB/s).
// [GB200-NVL72] NVIDIA GB200 NVL72 product page, specifications table (rack
//   of 72 Blackwell GPUs; tensor figures "with sparsity"),
//   https://www.nvidia.com/en-us/data-center/gb200-nvl72/ ; per GPU at the
//   GB200's 1,200 W also in G. Lockwood's B200 notes,
//   https://glennklockwood.com/garden/processors/B200 (dense: FP32 90, TF32
//   1,250, BF16 2,500, FP8 5,000, FP4 10,000 TFLOPS, INT8 5,000 TOPS).
// [DGXGB200] NVIDIA DGX GB200 User Guide, "Hardware": 18 compute trays of
//   2 Grace CPUs and 4 Blackwell GPUs, "4x NVIDIA ConnectX-7 single port
//   400G OSFP NIC" per tray, 72-GPU NVLink domains,
//   https://docs.nvidia.com/dgx/dgxgb200-user-guide/hardware.html
// [DGXB200-UG] NVIDIA DGX B200 User Guide, component table: "4 x OSFP ports
//   for 8 x NVIDIA ConnectX-7 Single Port Cards ... InfiniBand (default): Up
//   to 400Gbps",
//   https://docs.nvidia.com/dgx/dgxb200-user-guide/introduction-to-dgxb200.html
// [BASEPOD] NVIDIA DGX BasePOD reference architecture, "Core Components":
//   DGX H200 / H100 "Four OSFP ports serving eight single-port NVIDIA
//   ConnectX-7 VPI ... up to 400 Gb/s InfiniBand/Ethernet",
//   https://docs.nvidia.com/dgx-basepod/reference-architecture-infrastructure-foundation-enterprise-ai/latest/core-components.html
// [DGXA100-UG] NVIDIA DGX A100 User Guide, hardware overview: "8x Single-Port
//   Mellanox ConnectX-6 VPI 200Gb/s HDR InfiniBand" (cluster network),
//   https://docs.nvidia.com/dgx/dgxa100-user-guide/introduction-to-dgxa100.html
//   (unverified here: recalled, the page was not in the search corpus).
// [MI325X-AMD] AMD Instinct MI325X product page / data sheet: "256 GB"
//   HBM3E, "6 TB/s" peak memory bandwidth, the MI300X's CDNA 3 compute
//   (304 CUs; FP16 1,307.4, FP8 2,614.9 TFLOPS dense), Infinity Fabric
//   128 GB/s x 7 links, 8 per platform,
//   https://www.amd.com/en/products/accelerators/instinct/mi300/mi325x.html
// [MI3XX-NET] AMD Instinct MI3XX cluster reference design (MI300X, MI325X,
//   MI350X, MI355X): rail-optimised back-end network with one 400 Gb/s NIC
//   per GPU, 8 per node,
//   https://instinct.docs.amd.com/projects/MI3XX-reference/latest/overview.html
//   (unverified here: the excerpt found names the rail design, not the NIC
//   count; one 400 Gb/s NIC per GPU is what MI300X clusters publish).

/**
 * Storage data types the performance model distinguishes.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DType, DTYPE_BYTES } from "./catalog.ts";
 * const t: DType = "fp8";
 * assert.equal(DTYPE_BYTES[t], 1);
 * ```
 */
export type DType = "fp32" | "bf16" | "fp16" | "fp8" | "int8" | "fp4";

/**
 * Bytes per element of each {@linkcode DType} (fp4 packs two per byte).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { DTYPE_BYTES } from "./catalog.ts";
 * assert.equal(DTYPE_BYTES.bf16, 2);
 * assert.equal(DTYPE_BYTES.fp4, 0.5);
 * ```
 */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = Object.freeze({
  fp32: 4, // IEEE 754 binary32
  bf16: 2, // bfloat16: 16 bits
  fp16: 2, // IEEE 754 binary16
  fp8: 1, // E4M3 / E5M2: 8 bits
  int8: 1, // 8 bits
  fp4: 0.5, // E2M1 (NVFP4 / MXFP4 element): 4 bits; block scales not counted
});

/**
 * A GPU's figures as a datasheet gives them (dense, no sparsity).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GpuSpec, GPUS } from "./catalog.ts";
 * const g: GpuSpec = GPUS["H100-SXM"];
 * assert.equal(g.memory_bytes, 79.22 * 2 ** 30);
 * // Ridge point of the roofline, in FLOP per byte of HBM traffic.
 * const ridge = g.flops_per_s.bf16! / g.memory_bandwidth_bytes_per_s;
 * assert.ok(ridge >= 250);
 * assert.ok(ridge <= 350);
 * ```
 */
export interface GpuSpec {
  /** Catalog name, e.g. "H100-SXM". */
  name: string;
  /** Memory the card exposes to CUDA, bytes (see the module doc). */
  memory_bytes: number;
  /** HBM bandwidth, bytes/s. */
  memory_bandwidth_bytes_per_s: number;
  /**
   * Dense FLOP/s per data type (no structured sparsity). Keys among
   * "fp32","tf32","bf16","fp16","fp8","int8","fp4"; only what the datasheet
   * gives. "int8" is integer ops/s (TOPS). "fp32" is the non-tensor
   * (CUDA-core / vector) rate.
   */
  flops_per_s: Partial<Record<DType | "tf32" | "fp32", number>>;
  /**
   * GPU-to-GPU interconnect bandwidth within a node (NVLink / Infinity
   * Fabric / PCIe), bytes/s, per GPU, as the datasheet states it. For every
   * entry here that is the total of both directions (the comment says so).
   */
  interconnect_bytes_per_s: number;
  /**
   * GPUs that share the scale-up link above (NVLink / Infinity Fabric
   * domain): 8 on an HGX/DGX or MI300X board, 72 in a GB200 NVL72 rack.
   * A parallel group larger than this crosses the scale-out network.
   * Absent: 8.
   */
  gpus_per_node?: number;
  /**
   * Scale-out (node-to-node) bandwidth per GPU, one direction, bytes/s:
   * the NIC each GPU has (a 400 Gb/s ConnectX-7 is 50e9). Absent: 50e9.
   */
  scale_out_bytes_per_s?: number;
}

/**
 * GPU catalog, keyed by {@linkcode GpuSpec.name}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPUS } from "./catalog.ts";
 * for (const [key, g] of Object.entries(GPUS)) {
 *   assert.equal(key, g.name);
 * }
 * assert.equal(GPUS["H200"].memory_bandwidth_bytes_per_s, 4.8e12);
 * ```
 */
export const GPUS: Readonly<Record<string, GpuSpec>> = Object.freeze({
  "A100-40G": {
    name: "A100-40G", // A100 40GB, SXM4 form factor
    memory_bytes: 40 * 2 ** 30, // [A100-DS] "40GB HBM2", read as GiB
    memory_bandwidth_bytes_per_s: 1555e9, // [A100-DS] "1,555GB/s" (40GB SXM)
    flops_per_s: {
      fp32: 19.5e12, // [A100-DS] FP32 19.5 TFLOPS (non-tensor)
      tf32: 156e12, // [A100-DS] TF32 Tensor Core 156 TF (312 TF* sparse)
      bf16: 312e12, // [A100-DS] BFLOAT16 Tensor Core 312 TF (624 TF* sparse)
      fp16: 312e12, // [A100-DS] FP16 Tensor Core 312 TF (624 TF* sparse)
      int8: 624e12, // [A100-DS] INT8 Tensor Core 624 TOPS (1,248 TOPS* sparse)
    },
    // [A100-DS] SXM: "NVLink: 600GB/s" (third-gen NVLink, 12 links; total
    // of both directions, i.e. 300 GB/s each way).
    interconnect_bytes_per_s: 600e9,
    gpus_per_node: 8, // [A100-DS] HGX A100 8-GPU, NVSwitch; DGX A100
    // [DGXA100-UG] one 200 Gb/s ConnectX-6 per GPU: 25e9 bytes/s one way.
    scale_out_bytes_per_s: 25e9,
  },
  "A100-80G": {
    name: "A100-80G", // A100 80GB, SXM4 form factor
    memory_bytes: 79.25 * 2 ** 30, // [MEM-A100]; [A100-DS] "80GB HBM2e"
    memory_bandwidth_bytes_per_s: 2039e9, // [A100-DS] "2,039GB/s" (80GB SXM)
    flops_per_s: {
      fp32: 19.5e12, // [A100-DS] FP32 19.5 TFLOPS (same GA100 compute as 40GB)
      tf32: 156e12, // [A100-DS] TF32 Tensor Core 156 TF (312 TF* sparse)
      bf16: 312e12, // [A100-DS] BFLOAT16 Tensor Core 312 TF (624 TF* sparse)
      fp16: 312e12, // [A100-DS] FP16 Tensor Core 312 TF (624 TF* sparse)
      int8: 624e12, // [A100-DS] INT8 Tensor Core 624 TOPS (1,248 TOPS* sparse)
    },
    // [A100-DS] SXM: "NVLink: 600GB/s", total of both directions.
    interconnect_bytes_per_s: 600e9,
    gpus_per_node: 8, // [A100-DS] HGX A100 8-GPU, NVSwitch; DGX A100
    scale_out_bytes_per_s: 25e9, // [DGXA100-UG] 200 Gb/s ConnectX-6 per GPU
  },
  "H100-SXM": {
    name: "H100-SXM",
    memory_bytes: 79.22 * 2 ** 30, // [MEM-H100]; [H100-DS] "80GB" HBM3
    memory_bandwidth_bytes_per_s: 3.35e12, // [H100-DS] H100 SXM "3.35TB/s"
    flops_per_s: {
      fp32: 67e12, // [H100-DS] FP32 67 teraFLOPS (non-tensor)
      // [H100-DS] TF32 Tensor Core 989 TFLOPS* (sparse) / 2; [H100-WP] 494.7.
      tf32: 494.5e12,
      // [H100-DS] BF16 Tensor Core 1,979 TFLOPS* (sparse) / 2; [H100-WP]
      // gives 989.4 dense (528 tensor cores x 1024 FLOP/clk x 1.83 GHz).
      bf16: 989.5e12,
      fp16: 989.5e12, // [H100-DS] FP16 Tensor Core 1,979 TFLOPS* / 2
      fp8: 1979e12, // [H100-DS] FP8 Tensor Core 3,958 TFLOPS* (sparse) / 2
      int8: 1979e12, // [H100-DS] INT8 Tensor Core 3,958 TOPS* (sparse) / 2
    },
    // [H100-DS] SXM: "NVIDIA NVLink: 900GB/s" (fourth-gen, 18 links; total
    // of both directions, 450 GB/s each way).
    interconnect_bytes_per_s: 900e9,
    gpus_per_node: 8, // [BASEPOD] DGX H100: eight GPUs, four NVSwitch chips
    // [BASEPOD] eight single-port 400 Gb/s ConnectX-7, one per GPU: 50e9
    // bytes/s one way.
    scale_out_bytes_per_s: 50e9,
  },
  "H200": {
    name: "H200", // H200 SXM
    memory_bytes: 141 * 2 ** 30, // [H200-DS] H200 SXM "141GB" HBM3e, as GiB
    memory_bandwidth_bytes_per_s: 4.8e12, // [H200-DS] "4.8TB/s"
    flops_per_s: {
      // [H200-DS] lists the same compute as H100 SXM (same GH100 die):
      fp32: 67e12, // [H200-DS] FP32 67 TFLOPS
      tf32: 494.5e12, // [H200-DS] TF32 Tensor Core 989 TFLOPS* / 2
      bf16: 989.5e12, // [H200-DS] BF16 Tensor Core 1,979 TFLOPS* / 2
      fp16: 989.5e12, // [H200-DS] FP16 Tensor Core 1,979 TFLOPS* / 2
      fp8: 1979e12, // [H200-DS] FP8 Tensor Core 3,958 TFLOPS* / 2
      int8: 1979e12, // [H200-DS] INT8 Tensor Core 3,958 TOPS* / 2
    },
    // [H200-DS] SXM: "NVIDIA NVLink: 900GB/s", total of both directions.
    interconnect_bytes_per_s: 900e9,
    gpus_per_node: 8, // [BASEPOD] DGX H200: eight GPUs, four NVSwitch chips
    scale_out_bytes_per_s: 50e9, // [BASEPOD] one 400 Gb/s ConnectX-7 per GPU
  },
  "H20": {
    name: "H20", // HGX H20, the China-market Hopper (GH100, 78 SMs, 400 W)
    memory_bytes: 96 * 2 ** 30, // [H20-TH] "96 GB HBM3", read as GiB
    memory_bandwidth_bytes_per_s: 4.0e12, // [H20-TH] "4.0 TB/s"
    flops_per_s: {
      // Dense as given: [H20-CN] calls the 148 "dense", and [H20-TT]'s
      // performance density 2.9 is the export rule's TPP (dense FP8 TFLOPS x
      // 8 bits = 2,368) over the 814 mm2 GH100 die, as 1,979 dense x 8 / 814
      // = 19.4 is the H100's. No halving.
      fp32: 44e12, // [H20-CN] FP32 44 TFLOPS (non-tensor)
      tf32: 74e12, // [H20-TH] TF32 Tensor 74 TFLOPS
      bf16: 148e12, // [H20-TH] BF16 Tensor 148 TFLOPS
      fp16: 148e12, // [H20-TH] FP16 Tensor 148 TFLOPS
      fp8: 296e12, // [H20-TH] FP8 Tensor 296 TFLOPS
      int8: 296e12, // [H20-TH] INT8 Tensor 296 TOPS
    },
    // [H20-TT] "900GB/sec NVLink", fourth-gen as on H100 SXM: total of both
    // directions.
    interconnect_bytes_per_s: 900e9,
    gpus_per_node: 8, // [H20-TT] 8-way HGX board
    // unverified here: no H20 server's NIC complement was found; one 400 Gb/s
    // NIC per GPU, as on DGX H100, is assumed (the field's default).
    scale_out_bytes_per_s: 50e9,
  },
  "B200": {
    name: "B200", // one GPU of an HGX/DGX B200 8-GPU board
    // [DGXB200] "1,440GB total GPU memory" / 8 GPUs = 180 GB per GPU
    // ([HGXB200] per GPU: "180GB HBM3E"). The 192 GB often quoted is the
    // raw HBM3e on the package, not what the 8-GPU systems list.
    memory_bytes: 180 * 2 ** 30, // as GiB
    // [DGXB200] "64TB/s HBM3e bandwidth" / 8 = 8 TB/s per GPU. Note:
    // [HGXB200] lists 7.7 TB/s per GPU for HGX B200; the DGX figure is used.
    memory_bandwidth_bytes_per_s: 8e12,
    flops_per_s: {
      fp32: 75e12, // [HGXB200] FP32 75 TFLOPS per GPU (non-tensor)
      tf32: 1.1e15, // [HGXB200] TF32 Tensor Core 2.2 PFLOPS* (sparse) / 2
      bf16: 2.25e15, // [HGXB200] FP16/BF16 Tensor Core 4.5 PFLOPS* / 2
      fp16: 2.25e15, // [HGXB200] FP16/BF16 Tensor Core 4.5 PFLOPS* / 2
      // [DGXB200] "72 petaFLOPS training" (FP8, sparse) / 8 GPUs / 2
      // = 4.5 PF; matches [HGXB200] FP8/FP6 9 PFLOPS* per GPU / 2.
      fp8: 4.5e15,
      int8: 4.5e15, // [HGXB200] INT8 Tensor Core 9 POPS* (sparse) / 2
      // [DGXB200] "144 petaFLOPS inference" (FP4, sparse) / 8 GPUs / 2
      // = 9 PF; matches [HGXB200] FP4 18 PFLOPS* per GPU / 2.
      fp4: 9e15,
    },
    // [HGXB200]/[DGXB200] fifth-gen NVLink "1.8TB/s" GPU-to-GPU per GPU
    // (DGX: 14.4 TB/s aggregate / 8); total of both directions.
    interconnect_bytes_per_s: 1.8e12,
    gpus_per_node: 8, // [DGXB200-UG] 8 GPUs on two NVLink 5 switches
    // [DGXB200-UG] 8 single-port ConnectX-7 "up to 400Gbps", one per GPU
    // (the ConnectX-8 800 Gb/s NICs come with B300, not B200).
    scale_out_bytes_per_s: 50e9,
  },
  "GB200": {
    name: "GB200", // one Blackwell GPU of a GB200 NVL72 rack (1,200 W)
    // [GB200-NVL72] "Up to 13.4 TB HBM3e" / 72 GPUs = 186 GB per GPU (the
    // GB200 superchip column: 372 GB for 2 GPUs); read as GiB.
    memory_bytes: 186 * 2 ** 30,
    // [GB200-NVL72] "576 TB/s" / 72 = 8 TB/s per GPU.
    memory_bandwidth_bytes_per_s: 8e12,
    flops_per_s: {
      fp32: 90e12, // [GB200-NVL72] FP32 6,480 TFLOPS / 72
      tf32: 1.25e15, // [GB200-NVL72] TF32 Tensor Core 180 PFLOPS* / 72 / 2
      bf16: 2.5e15, // [GB200-NVL72] FP16/BF16 Tensor Core 360 PFLOPS* / 72 / 2
      fp16: 2.5e15, // [GB200-NVL72] FP16/BF16 Tensor Core 360 PFLOPS* / 72 / 2
      fp8: 5e15, // [GB200-NVL72] FP8/FP6 Tensor Core 720 PFLOPS* / 72 / 2
      int8: 5e15, // [GB200-NVL72] INT8 Tensor Core 720 POPS* / 72 / 2
      fp4: 10e15, // [GB200-NVL72] FP4 Tensor Core 1,440 PFLOPS* / 72 / 2
    },
    // [GB200-NVL72] fifth-gen NVLink "130 TB/s" / 72 = 1.8 TB/s per GPU
    // ([DGXGB200]: "1.8 TB/s bidirectional per GPU"); total of both
    // directions.
    interconnect_bytes_per_s: 1.8e12,
    gpus_per_node: 72, // [DGXGB200] "72-GPU NVL domains": the whole rack
    // [DGXGB200] 4 single-port 400G ConnectX-7 per tray of 4 GPUs.
    scale_out_bytes_per_s: 50e9,
  },
  "L40S": {
    name: "L40S",
    memory_bytes: 48 * 2 ** 30, // [L40S-DS] "48GB GDDR6 with ECC", as GiB
    memory_bandwidth_bytes_per_s: 864e9, // [L40S-DS] "864GB/s"
    flops_per_s: {
      fp32: 91.6e12, // [L40S-DS] FP32 91.6 TFLOPS
      tf32: 183e12, // [L40S-DS] TF32 Tensor Core 183 | 366* TFLOPS
      bf16: 362.05e12, // [L40S-DS] BFLOAT16 Tensor Core 362.05 | 733* TFLOPS
      fp16: 362.05e12, // [L40S-DS] FP16 Tensor Core 362.05 | 733* TFLOPS
      fp8: 733e12, // [L40S-DS] FP8 Tensor Core 733 | 1,466* TFLOPS
      // unverified here: the datasheet copies found did not show the INT8
      // row; 733 TOPS dense (1,466* sparse) is the best-known public value.
      int8: 733e12,
    },
    // [L40S-DS] "PCIe Gen4 x16: 64GB/s bidirectional" (no NVLink); total of
    // both directions.
    interconnect_bytes_per_s: 64e9,
    // unverified here: L40S has no NVIDIA reference node; 8 PCIe cards per
    // server with one 400 Gb/s NIC per GPU is assumed (the field defaults).
    gpus_per_node: 8,
    scale_out_bytes_per_s: 50e9,
  },
  "MI300X": {
    name: "MI300X", // OAM module
    memory_bytes: 192 * 2 ** 30, // [MI300X-AMD] "192 GB" HBM3 (8 stacks x 24 GiB)
    // [MI300-ROCM] "theoretical aggregated peak memory bandwidth ... 5.3 TB
    // per second"; [MI300X-AMD] "5.3 TB/s".
    memory_bandwidth_bytes_per_s: 5.3e12,
    flops_per_s: {
      fp32: 163.4e12, // [MI300-ROCM] Vector FP32 163.4 TFLOPS
      tf32: 653.7e12, // [MI300-ROCM] TF32 653.7 TFLOPS
      bf16: 1307.4e12, // [MI300-ROCM] Matrix BF16 1307.4 TFLOPS (dense)
      fp16: 1307.4e12, // [MI300-ROCM] Matrix FP16 1307.4 TFLOPS (dense)
      fp8: 2614.9e12, // [MI300-ROCM] Matrix FP8 2614.9 TFLOPS (dense)
      int8: 2614.9e12, // [MI300-ROCM] Matrix INT8 2614.9 TOPS (dense)
    },
    // [MI300-HC] 896 GB/s per GPU = [MI300X-AMD] "Peak Infinity Fabric Link
    // Bandwidth 128 GB/s" x 7 GPU-to-GPU links ([MI300-ROCM]: "seven ...
    // Infinity Fabric links ... fully connected 8-GPU system"). AMD does not
    // say per direction; read as the total of both directions. One peer
    // gets only one link (128 GB/s), unlike NVSwitch systems.
    interconnect_bytes_per_s: 896e9,
    gpus_per_node: 8, // [MI300-ROCM] "fully connected 8-GPU system"
    scale_out_bytes_per_s: 50e9, // [MI3XX-NET] one 400 Gb/s NIC per GPU
  },
  "MI325X": {
    name: "MI325X", // OAM module, 8 per MI325X platform
    memory_bytes: 256 * 2 ** 30, // [MI325X-AMD] "256 GB" HBM3E, as GiB
    memory_bandwidth_bytes_per_s: 6e12, // [MI325X-AMD] "6 TB/s"
    flops_per_s: {
      // [MI325X-AMD] the same CDNA 3 compute as MI300X ([MI300-ROCM] figures):
      fp32: 163.4e12, // Vector FP32 163.4 TFLOPS
      tf32: 653.7e12, // TF32 653.7 TFLOPS
      bf16: 1307.4e12, // Matrix BF16 1,307.4 TFLOPS (dense)
      fp16: 1307.4e12, // Matrix FP16 1,307.4 TFLOPS (dense)
      fp8: 2614.9e12, // Matrix FP8 2,614.9 TFLOPS (dense; 5,229.8 sparse)
      int8: 2614.9e12, // Matrix INT8 2,614.9 TOPS (dense)
    },
    // [MI325X-AMD] 128 GB/s x 7 Infinity Fabric links, read as the total of
    // both directions, as for MI300X.
    interconnect_bytes_per_s: 896e9,
    gpus_per_node: 8, // [MI325X-AMD] eight fully connected GPUs per platform
    scale_out_bytes_per_s: 50e9, // [MI3XX-NET] one 400 Gb/s NIC per GPU
  },
});

/**
 * DeepSeek Multi-head Latent Attention (MLA) projection sizes, from the
 * model's config.json. Used by {@linkcode parameterCount}; the KV cache size
 * is {@linkcode ModelSpec.kv_cache_dim_per_layer}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MlaSpec, MODELS } from "./catalog.ts";
 * const mla: MlaSpec = MODELS["DeepSeek-V3"].mla!;
 * assert.equal(mla.kv_lora_rank + mla.qk_rope_head_dim, 576);
 * ```
 */
export interface MlaSpec {
  /** q_lora_rank: rank of the query down-projection (0 = no compression). */
  q_lora_rank: number;
  /** kv_lora_rank: rank of the compressed (cached) key-value latent. */
  kv_lora_rank: number;
  /** qk_nope_head_dim: per-head query/key dims without rotary embedding. */
  qk_nope_head_dim: number;
  /** qk_rope_head_dim: per-head rotary dims (the rotary key is shared). */
  qk_rope_head_dim: number;
  /** v_head_dim: per-head value dims. */
  v_head_dim: number;
}

/**
 * A decoder-only transformer's architecture, as its config.json gives it.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ModelSpec, MODELS } from "./catalog.ts";
 * const m: ModelSpec = MODELS["Llama-3.1-8B"];
 * // KV cache bytes per token in bf16: 2 (K,V) x layers x kv_heads x head_dim x 2 B.
 * const kvBytes = 2 * m.num_layers * m.num_kv_heads * m.head_dim * 2;
 * assert.equal(kvBytes, 131072);
 * ```
 */
export interface ModelSpec {
  /** Catalog name, e.g. "Llama-3.1-8B". */
  name: string;
  /** num_hidden_layers. */
  num_layers: number;
  /** hidden_size (d_model). */
  hidden_size: number;
  /** num_attention_heads. */
  num_attention_heads: number;
  /** num_key_value_heads (equals num_attention_heads for MHA). */
  num_kv_heads: number;
  /** Per-head dim: hidden/heads unless the config says otherwise. */
  head_dim: number;
  /** intermediate_size (FFN width of dense layers; OPT calls it ffn_dim). */
  ffn_size: number;
  /** SwiGLU-style 3-matrix FFN (true) vs plain 2-matrix MLP (OPT). */
  gated_ffn: boolean;
  /** vocab_size (padded size of the embedding matrix). */
  vocab_size: number;
  /** LM head shares the input embedding matrix (tie_word_embeddings). */
  tied_embeddings?: boolean;
  /** MoE: routed experts per MoE layer (0 or absent = dense). */
  num_experts?: number;
  /** MoE: routed experts each token uses. */
  active_experts?: number;
  /** MoE: FFN size of one expert (moe_intermediate_size); defaults to ffn_size. */
  expert_ffn_size?: number;
  /** MoE: always-on shared experts per MoE layer (DeepSeek). */
  shared_experts?: number;
  /** MoE: leading layers that are dense (DeepSeek-V3 first_k_dense_replace = 3). */
  dense_layers?: number;
  /**
   * MoE: every how many layers, after the leading dense ones, one is an MoE
   * layer (Llama-4 interleave_moe_layer_step, Qwen decoder_sparse_step):
   * layer i (from 0) is MoE when (i + 1) is a multiple of it, the others
   * dense with ffn_size. Absent: 1 (every layer).
   */
  moe_layer_step?: number;
  /**
   * MLA (DeepSeek): KV cache per token per layer in elements =
   * kv_lora_rank + qk_rope_head_dim, replacing 2*kv_heads*head_dim.
   */
  kv_cache_dim_per_layer?: number;
  /** MLA (DeepSeek): projection sizes, for the parameter count. */
  mla?: MlaSpec;
  /** Parameters as the model card states (for a cross-check only), e.g. 8.03e9. */
  params_reported: number;
  /** MoE: parameters active per token as the model card states (cross-check only). */
  params_active_reported?: number;
  /** Max context length (max_position_embeddings). */
  max_context: number;
  /**
   * Multi-token-prediction modules shipped with the model
   * (num_nextn_predict_layers, DeepSeek-V3: 1): each is one transformer
   * layer of the model's own shape, usable as a speculative-decoding head.
   */
  mtp_layers?: number;
}

// Hugging Face config.json sources, by tag.
// [OPT13]   https://huggingface.co/facebook/opt-13b/blob/main/config.json
// [OPT-P]   Zhang et al., "OPT: Open Pre-trained Transformer Language Models",
//           https://arxiv.org/abs/2205.01068 (Table 1)
// [L2-7]    https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json
// [L2-70]   https://huggingface.co/meta-llama/Llama-2-70b-hf/blob/main/config.json
// [L31-8]   https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json
// [L31-70]  https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json
// [L31-405] https://huggingface.co/meta-llama/Llama-3.1-405B/blob/main/config.json
// [L3-P]    Llama Team, "The Llama 3 Herd of Models",
//           https://arxiv.org/abs/2407.21783 (Table 3)
// [Q25-72]  https://huggingface.co/Qwen/Qwen2.5-72B/blob/main/config.json
// [Q25-MC]  https://huggingface.co/Qwen/Qwen2.5-72B (model card)
// [QWQ-32]  https://huggingface.co/Qwen/QwQ-32B-Preview/blob/main/config.json
//   (Qwen2ForCausalLM; QwQ-32B has the same architecture)
// [QWQ-MC]  https://huggingface.co/Qwen/QwQ-32B (model card)
// [MX87]    https://huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json
// [MX-BLOG] https://mistral.ai/news/mixtral-of-experts/
// [DSV3]    https://huggingface.co/deepseek-ai/DeepSeek-V3/blob/main/config.json
// [DSV3-P]  DeepSeek-AI, "DeepSeek-V3 Technical Report",
//           https://arxiv.org/abs/2412.19437
// [Q3-235]  https://huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json
// [Q3-235-MC] https://huggingface.co/Qwen/Qwen3-235B-A22B (model card:
//           "Number of Parameters: 235B in total and 22B activated")
// [Q3-30]   https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json
// [Q3-30-MC] https://huggingface.co/Qwen/Qwen3-30B-A3B (model card:
//           "Number of Parameters: 30.5B in total and 3.3B activated")
// [L4-S]    https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E/blob/main/config.json
//           (text_config; Llama4ForConditionalGeneration)
// [L4-M]    https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E/blob/main/config.json
//           (text_config; the same fields appear in TensorRT-LLM's
//           LLAMA_4_MAVERICK_TWO_LAYER_CONFIG test fixture)
// [L4-MC]   https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E (model
//           card table: Scout 17B activated / 109B total, Maverick 17B
//           activated / 400B total)
// [GOSS]    https://huggingface.co/openai/gpt-oss-120b/blob/main/config.json
// [GOSS-MC] OpenAI, "gpt-oss-120b & gpt-oss-20b Model Card",
//           https://arxiv.org/abs/2508.10925 (Table 1: 116.83B total,
//           5.13B active parameters, the active count without the
//           embedding)
// [HF-SIZE] the "Model size ... params" figure that the Hugging Face Hub
//           computes from the safetensors of the repo named in the comment.

/**
 * Model catalog, keyed by {@linkcode ModelSpec.name}.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODELS } from "./catalog.ts";
 * for (const [key, m] of Object.entries(MODELS)) {
 *   assert.equal(key, m.name);
 * }
 * const ds = MODELS["DeepSeek-V3"];
 * assert.equal(ds.kv_cache_dim_per_layer, 576);
 * assert.equal(ds.num_experts, 256);
 * ```
 */
export const MODELS: Readonly<Record<string, ModelSpec>> = Object.freeze({
  "OPT-13B": {
    name: "OPT-13B",
    num_layers: 40, // [OPT13] num_hidden_layers
    hidden_size: 5120, // [OPT13] hidden_size
    num_attention_heads: 40, // [OPT13] num_attention_heads
    num_kv_heads: 40, // [OPT13] no num_key_value_heads: MHA
    head_dim: 128, // [OPT13] 5120 / 40
    ffn_size: 20480, // [OPT13] ffn_dim
    gated_ffn: false, // [OPT13] activation_function "relu", fc1/fc2 MLP
    vocab_size: 50272, // [OPT13] vocab_size
    // [OPT13] sets no tie_word_embeddings, and the transformers OPTConfig
    // default is true: lm_head shares embed_tokens.
    tied_embeddings: true,
    params_reported: 13e9, // [OPT-P] Table 1: "13B"
    max_context: 2048, // [OPT13] max_position_embeddings
  },
  "Llama-2-7B": {
    name: "Llama-2-7B",
    num_layers: 32, // [L2-7] num_hidden_layers
    hidden_size: 4096, // [L2-7] hidden_size
    num_attention_heads: 32, // [L2-7] num_attention_heads
    num_kv_heads: 32, // [L2-7] num_key_value_heads (MHA)
    head_dim: 128, // [L2-7] 4096 / 32
    ffn_size: 11008, // [L2-7] intermediate_size
    gated_ffn: true, // [L2-7] hidden_act "silu", gate/up/down (SwiGLU)
    vocab_size: 32000, // [L2-7] vocab_size
    tied_embeddings: false, // [L2-7] tie_word_embeddings false
    params_reported: 6.74e9, // [HF-SIZE] Llama-2-7b-hf "6.74B params" (card: "7B")
    max_context: 4096, // [L2-7] max_position_embeddings
  },
  "Llama-2-70B": {
    name: "Llama-2-70B",
    num_layers: 80, // [L2-70] num_hidden_layers
    hidden_size: 8192, // [L2-70] hidden_size
    num_attention_heads: 64, // [L2-70] num_attention_heads
    num_kv_heads: 8, // [L2-70] num_key_value_heads (GQA)
    head_dim: 128, // [L2-70] 8192 / 64
    ffn_size: 28672, // [L2-70] intermediate_size
    gated_ffn: true, // [L2-70] hidden_act "silu" (SwiGLU)
    vocab_size: 32000, // [L2-70] vocab_size
    tied_embeddings: false, // [L2-70] tie_word_embeddings false
    params_reported: 69e9, // [HF-SIZE] Llama-2-70b-hf "69B params" (card: "70B")
    max_context: 4096, // [L2-70] max_position_embeddings
  },
  "Llama-3.1-8B": {
    name: "Llama-3.1-8B",
    num_layers: 32, // [L31-8] num_hidden_layers
    hidden_size: 4096, // [L31-8] hidden_size
    num_attention_heads: 32, // [L31-8] num_attention_heads
    num_kv_heads: 8, // [L31-8] num_key_value_heads
    head_dim: 128, // [L31-8] head_dim 128 (= 4096 / 32)
    ffn_size: 14336, // [L31-8] intermediate_size
    gated_ffn: true, // [L31-8] hidden_act "silu" (SwiGLU)
    vocab_size: 128256, // [L31-8] vocab_size
    tied_embeddings: false, // [L31-8] tie_word_embeddings false
    // [HF-SIZE] Llama-3.1-8B "8.03B params"; unverified here: recalled, the
    // Hub page was not in the search corpus (card says "8B").
    params_reported: 8.03e9,
    max_context: 131072, // [L31-8] max_position_embeddings (rope llama3, x8)
  },
  "Llama-3.1-70B": {
    name: "Llama-3.1-70B",
    num_layers: 80, // [L31-70] num_hidden_layers
    hidden_size: 8192, // [L31-70] hidden_size
    num_attention_heads: 64, // [L31-70] num_attention_heads
    num_kv_heads: 8, // [L31-70] num_key_value_heads
    head_dim: 128, // [L31-70] 8192 / 64
    ffn_size: 28672, // [L31-70] intermediate_size
    gated_ffn: true, // [L31-70] hidden_act "silu" (SwiGLU)
    vocab_size: 128256, // [L31-70] vocab_size
    tied_embeddings: false, // [L31-70] tie_word_embeddings false
    // [HF-SIZE] Llama-3.1-70B "70.6B params"; unverified here: recalled, the
    // Hub page was not in the search corpus (card says "70B").
    params_reported: 70.6e9,
    max_context: 131072, // [L31-70] max_position_embeddings
  },
  "Llama-3.1-405B": {
    name: "Llama-3.1-405B",
    num_layers: 126, // [L31-405] num_hidden_layers; [L3-P] Table 3: 126
    hidden_size: 16384, // [L31-405] hidden_size; [L3-P] model dim 16,384
    num_attention_heads: 128, // [L31-405] num_attention_heads; [L3-P] 128
    // [L3-P] Table 3: 8 key/value heads, as in the current [L31-405]
    // (head_dim 128 revision). The first published config.json said 16; that
    // was corrected, and copies of the old file still circulate.
    num_kv_heads: 8,
    head_dim: 128, // [L31-405] head_dim 128 (= 16384 / 128)
    ffn_size: 53248, // [L31-405] intermediate_size; [L3-P] FFN dim 53,248
    gated_ffn: true, // [L31-405] hidden_act "silu" (SwiGLU)
    vocab_size: 128256, // [L31-405] vocab_size
    tied_embeddings: false, // [L31-405] tie_word_embeddings false
    params_reported: 405e9, // [L3-P] "405B parameters"; model card "405B"
    max_context: 131072, // [L31-405] max_position_embeddings
  },
  "Qwen2.5-72B": {
    name: "Qwen2.5-72B",
    num_layers: 80, // [Q25-72] num_hidden_layers
    hidden_size: 8192, // [Q25-72] hidden_size
    num_attention_heads: 64, // [Q25-72] num_attention_heads
    num_kv_heads: 8, // [Q25-72] num_key_value_heads
    head_dim: 128, // [Q25-72] 8192 / 64
    ffn_size: 29568, // [Q25-72] intermediate_size
    gated_ffn: true, // [Q25-72] hidden_act "silu" (SwiGLU); QKV have biases
    vocab_size: 152064, // [Q25-72] vocab_size
    tied_embeddings: false, // [Q25-72] tie_word_embeddings false
    // [Q25-MC] "Number of Parameters: 72.7B"; unverified here: recalled, the
    // card line was not found in the search corpus.
    params_reported: 72.7e9,
    // [Q25-72] base model max_position_embeddings 131072 (the Instruct
    // config says 32768 and reaches 128K with YaRN).
    max_context: 131072,
  },
  "QwQ-32B": {
    name: "QwQ-32B",
    num_layers: 64, // [QWQ-32] num_hidden_layers
    hidden_size: 5120, // [QWQ-32] hidden_size
    num_attention_heads: 40, // [QWQ-32] num_attention_heads
    num_kv_heads: 8, // [QWQ-32] num_key_value_heads
    head_dim: 128, // [QWQ-32] 5120 / 40
    ffn_size: 27648, // [QWQ-32] intermediate_size
    gated_ffn: true, // [QWQ-32] hidden_act "silu" (SwiGLU); QKV have biases
    vocab_size: 152064, // [QWQ-32] vocab_size
    tied_embeddings: false, // [QWQ-32] tie_word_embeddings false
    // [QWQ-MC] "Number of Parameters: 32.5B" (recalled, as for Qwen2.5-72B).
    params_reported: 32.5e9,
    max_context: 32768, // [QWQ-32] max_position_embeddings
  },
  "Mixtral-8x7B": {
    name: "Mixtral-8x7B",
    num_layers: 32, // [MX87] num_hidden_layers
    hidden_size: 4096, // [MX87] hidden_size
    num_attention_heads: 32, // [MX87] num_attention_heads
    num_kv_heads: 8, // [MX87] num_key_value_heads
    head_dim: 128, // [MX87] 4096 / 32
    ffn_size: 14336, // [MX87] intermediate_size (each expert's width)
    gated_ffn: true, // [MX87] hidden_act "silu"; experts are SwiGLU
    vocab_size: 32000, // [MX87] vocab_size
    tied_embeddings: false, // [MX87] tie_word_embeddings false
    num_experts: 8, // [MX87] num_local_experts
    active_experts: 2, // [MX87] num_experts_per_tok
    // expert_ffn_size: absent, defaults to ffn_size ([MX87] has no
    // moe_intermediate_size; every FFN layer is an MoE layer).
    params_reported: 46.7e9, // [MX-BLOG] "46.7B total parameters" (12.9B active)
    max_context: 32768, // [MX87] max_position_embeddings
  },
  "DeepSeek-V3": {
    name: "DeepSeek-V3",
    num_layers: 61, // [DSV3] num_hidden_layers (MTP module not counted)
    hidden_size: 7168, // [DSV3] hidden_size
    num_attention_heads: 128, // [DSV3] num_attention_heads
    num_kv_heads: 128, // [DSV3] num_key_value_heads (MLA: one K,V per head after up-projection)
    // head_dim holds the query/key width per head, qk_nope_head_dim 128 +
    // qk_rope_head_dim 64 = 192 ([DSV3]), since that sets the Q.K score
    // FLOPs. The value width is 128 (mla.v_head_dim), so 2*heads*head_dim
    // overstates the attention-times-V FLOPs by 1.5x; the KV cache is given by
    // kv_cache_dim_per_layer, not by heads*head_dim.
    head_dim: 192,
    ffn_size: 18432, // [DSV3] intermediate_size (the dense layers)
    gated_ffn: true, // [DSV3] hidden_act "silu" (SwiGLU)
    vocab_size: 129280, // [DSV3] vocab_size
    tied_embeddings: false, // [DSV3] tie_word_embeddings false
    num_experts: 256, // [DSV3] n_routed_experts
    active_experts: 8, // [DSV3] num_experts_per_tok
    expert_ffn_size: 2048, // [DSV3] moe_intermediate_size
    shared_experts: 1, // [DSV3] n_shared_experts
    dense_layers: 3, // [DSV3] first_k_dense_replace
    kv_cache_dim_per_layer: 576, // [DSV3] kv_lora_rank 512 + qk_rope_head_dim 64
    mtp_layers: 1, // [DSV3] num_nextn_predict_layers
    mla: {
      q_lora_rank: 1536, // [DSV3] q_lora_rank
      kv_lora_rank: 512, // [DSV3] kv_lora_rank
      qk_nope_head_dim: 128, // [DSV3] qk_nope_head_dim
      qk_rope_head_dim: 64, // [DSV3] qk_rope_head_dim
      v_head_dim: 128, // [DSV3] v_head_dim
    },
    // [DSV3-P] "671B total parameters with 37B activated for each token"
    // (the Hub's 685B adds the 14B multi-token-prediction module).
    params_reported: 671e9,
    params_active_reported: 37e9, // [DSV3-P] "37B activated for each token"
    // [DSV3] max_position_embeddings 163840 (YaRN factor 40 over 4096); the
    // model card states a 128K context.
    max_context: 163840,
  },
  "Qwen3-235B-A22B": {
    name: "Qwen3-235B-A22B",
    num_layers: 94, // [Q3-235] num_hidden_layers
    hidden_size: 4096, // [Q3-235] hidden_size
    num_attention_heads: 64, // [Q3-235] num_attention_heads
    num_kv_heads: 4, // [Q3-235] num_key_value_heads
    head_dim: 128, // [Q3-235] head_dim (not hidden/heads = 64)
    // [Q3-235] intermediate_size; no layer uses it (decoder_sparse_step 1,
    // mlp_only_layers []: every layer is MoE).
    ffn_size: 12288,
    gated_ffn: true, // [Q3-235] hidden_act "silu" (SwiGLU experts)
    vocab_size: 151936, // [Q3-235] vocab_size
    tied_embeddings: false, // [Q3-235] tie_word_embeddings false
    num_experts: 128, // [Q3-235] num_experts
    active_experts: 8, // [Q3-235] num_experts_per_tok
    expert_ffn_size: 1536, // [Q3-235] moe_intermediate_size
    params_reported: 235e9, // [Q3-235-MC] "235B in total"
    params_active_reported: 22e9, // [Q3-235-MC] "22B activated"
    // [Q3-235] max_position_embeddings 40960 (the card: 32,768 native,
    // 131,072 with YaRN).
    max_context: 40960,
  },
  "Qwen3-30B-A3B": {
    name: "Qwen3-30B-A3B",
    num_layers: 48, // [Q3-30] num_hidden_layers
    hidden_size: 2048, // [Q3-30] hidden_size
    num_attention_heads: 32, // [Q3-30] num_attention_heads
    num_kv_heads: 4, // [Q3-30] num_key_value_heads
    head_dim: 128, // [Q3-30] head_dim (not hidden/heads = 64)
    ffn_size: 6144, // [Q3-30] intermediate_size (unused: every layer is MoE)
    gated_ffn: true, // [Q3-30] hidden_act "silu"
    vocab_size: 151936, // [Q3-30] vocab_size
    tied_embeddings: false, // [Q3-30] tie_word_embeddings false
    num_experts: 128, // [Q3-30] num_experts
    active_experts: 8, // [Q3-30] num_experts_per_tok
    expert_ffn_size: 768, // [Q3-30] moe_intermediate_size
    params_reported: 30.5e9, // [Q3-30-MC] "30.5B in total"
    params_active_reported: 3.3e9, // [Q3-30-MC] "3.3B activated"
    max_context: 40960, // [Q3-30] max_position_embeddings
  },
  // Llama 4: three of every four layers attend within chunks of
  // attention_chunk_size 8192 tokens (the fourth, without RoPE, attends to
  // everything); llmsim counts every layer as full attention, so the KV
  // cache of a context beyond 8192 tokens is overstated (pessimistic). The
  // vision encoder is not counted.
  "Llama-4-Scout-17B-16E": {
    name: "Llama-4-Scout-17B-16E",
    num_layers: 48, // [L4-S] text_config.num_hidden_layers
    hidden_size: 5120, // [L4-S] text_config.hidden_size
    num_attention_heads: 40, // [L4-S] text_config.num_attention_heads
    num_kv_heads: 8, // [L4-S] text_config.num_key_value_heads
    head_dim: 128, // [L4-S] text_config.head_dim
    // [L4-S] text_config.intermediate_size_mlp, the dense layers' FFN
    // (none here: interleave_moe_layer_step 1).
    ffn_size: 16384,
    gated_ffn: true, // [L4-S] text_config.hidden_act "silu"
    vocab_size: 202048, // [L4-S] text_config.vocab_size
    tied_embeddings: false, // [L4-S] tie_word_embeddings false
    num_experts: 16, // [L4-S] text_config.num_local_experts
    active_experts: 1, // [L4-S] text_config.num_experts_per_tok
    // [L4-S] text_config.intermediate_size: each routed expert's and the
    // shared expert's width.
    expert_ffn_size: 8192,
    shared_experts: 1, // Llama4TextMoe: one shared expert per MoE layer
    moe_layer_step: 1, // [L4-S] text_config.interleave_moe_layer_step
    params_reported: 109e9, // [L4-MC] "109B" total (with the vision encoder)
    params_active_reported: 17e9, // [L4-MC] "17B" activated
    max_context: 10485760, // [L4-S] text_config.max_position_embeddings
  },
  "Llama-4-Maverick-17B-128E": {
    name: "Llama-4-Maverick-17B-128E",
    num_layers: 48, // [L4-M] text_config.num_hidden_layers
    hidden_size: 5120, // [L4-M] text_config.hidden_size
    num_attention_heads: 40, // [L4-M] text_config.num_attention_heads
    num_kv_heads: 8, // [L4-M] text_config.num_key_value_heads
    head_dim: 128, // [L4-M] text_config.head_dim
    ffn_size: 16384, // [L4-M] text_config.intermediate_size_mlp (dense layers)
    gated_ffn: true, // [L4-M] text_config.hidden_act "silu"
    vocab_size: 202048, // [L4-M] text_config.vocab_size
    tied_embeddings: false, // [L4-M] tie_word_embeddings false
    num_experts: 128, // [L4-M] text_config.num_local_experts
    active_experts: 1, // [L4-M] text_config.num_experts_per_tok
    expert_ffn_size: 8192, // [L4-M] text_config.intermediate_size
    shared_experts: 1, // Llama4TextMoe: one shared expert per MoE layer
    // [L4-M] text_config.interleave_moe_layer_step 2: layers 1, 3, ..., 47
    // are MoE, the even ones dense.
    moe_layer_step: 2,
    params_reported: 400e9, // [L4-MC] "400B" total
    params_active_reported: 17e9, // [L4-MC] "17B" activated
    max_context: 1048576, // [L4-M] text_config.max_position_embeddings
  },
  // gpt-oss: every other layer attends to a sliding window of 128 tokens
  // (layer_types), counted here as full attention, so the KV cache is
  // overstated (pessimistic) by up to 2x for long contexts; the per-head
  // attention sinks (64 parameters a layer) and the biases are not
  // counted; the checkpoint stores the experts in MXFP4 (4.25 bits a
  // weight with its scales), which llmsim does not model: weights are
  // sized and read at `hardware.weight_dtype` (fp4 is the closest, on a
  // GPU with fp4 FLOP/s).
  "gpt-oss-120b": {
    name: "gpt-oss-120b",
    num_layers: 36, // [GOSS] num_hidden_layers
    hidden_size: 2880, // [GOSS] hidden_size
    num_attention_heads: 64, // [GOSS] num_attention_heads
    num_kv_heads: 8, // [GOSS] num_key_value_heads
    head_dim: 64, // [GOSS] head_dim
    ffn_size: 2880, // [GOSS] intermediate_size (each expert's width)
    gated_ffn: true, // [GOSS] SwiGLU experts (gate_up_proj, down_proj)
    vocab_size: 201088, // [GOSS] vocab_size
    tied_embeddings: false, // [GOSS] tie_word_embeddings false
    num_experts: 128, // [GOSS] num_local_experts
    active_experts: 4, // [GOSS] num_experts_per_tok (experts_per_token)
    params_reported: 116.83e9, // [GOSS-MC] Table 1 total
    // [GOSS-MC] 5.13B active, without the embedding; with it (as
    // activeParameterCount counts) 5.13B + 0.58B.
    params_active_reported: 5.13e9,
    max_context: 131072, // [GOSS] max_position_embeddings
  },
});

/**
 * Parameter count implied by the architecture (embeddings + attention +
 * FFN/experts + LM head; ignores norms, biases and learned position
 * embeddings).
 *
 * Formula, with h = hidden_size, n = num_attention_heads,
 * k = num_kv_heads, d = head_dim, L = num_layers, g = 3 if gated_ffn else 2:
 *
 * - attention per layer: h*(n*d) [Q] + 2*h*(k*d) [K,V] + (n*d)*h [O];
 *   with MLA (DeepSeek) instead
 *   h*q_lora [Q down] + q_lora*n*(nope+rope) [Q up]
 *   + h*(kv_lora+rope) [KV down, incl. shared rotary key]
 *   + kv_lora*n*(nope+v) [K,V up] + n*v*h [O]
 *   (a q_lora_rank of 0 means a plain h*n*(nope+rope) query projection);
 * - dense FFN layer: g*h*ffn_size;
 * - MoE layer: (num_experts + shared_experts)*g*h*expert_ffn_size
 *   + h*num_experts [router];
 * - the first dense_layers layers are dense for MoE models, all layers for
 *   dense models; after them layer i (from 0) is MoE when i + 1 is a
 *   multiple of moe_layer_step (Llama-4 Maverick: every second layer), the
 *   others dense;
 * - embedding vocab*h, plus an LM head vocab*h unless tied_embeddings.
 *
 * @param model The architecture.
 * @returns The implied parameter count.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODELS, parameterCount } from "./catalog.ts";
 * for (const m of Object.values(MODELS)) {
 *   const ratio = parameterCount(m) / m.params_reported;
 *   assert.ok(Math.abs(ratio - 1) <= 0.03);
 * }
 * ```
 */
export function parameterCount(model: ModelSpec): number {
  const p = parameterBreakdown(model);
  return p.embedding + p.lmHead + model.num_layers * p.attentionPerLayer +
    p.denseLayers * p.denseFfnPerLayer +
    p.moeLayers * ((p.experts + p.sharedExperts) * p.expertParams + p.router);
}

/** The parameter groups of {@linkcode parameterCount}, as a step-time model reads them. */
export interface ParameterBreakdown {
  /** Input embedding (a gather: only the batch's rows are read). */
  embedding: number;
  /** LM head (0 when tied to the embedding; then the embedding is read for logits). */
  lmHead: number;
  /** Attention projections of one layer. */
  attentionPerLayer: number;
  /** Layers with a dense FFN. */
  denseLayers: number;
  /** FFN of one dense layer. */
  denseFfnPerLayer: number;
  /** Layers with an MoE FFN. */
  moeLayers: number;
  /** Routed experts per MoE layer. */
  experts: number;
  /** Routed experts per token. */
  activeExperts: number;
  /** Shared (always-on) experts per MoE layer. */
  sharedExperts: number;
  /** Parameters of one expert. */
  expertParams: number;
  /** Router of one MoE layer. */
  router: number;
}

/**
 * Splits the parameters into the groups that a forward pass reads
 * differently (formula as in {@linkcode parameterCount}).
 *
 * @param model The architecture.
 * @returns The groups.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODELS, parameterBreakdown } from "./catalog.ts";
 * const p = parameterBreakdown(MODELS["Mixtral-8x7B"]);
 * assert.equal(p.moeLayers, 32);
 * assert.equal(p.experts, 8);
 * assert.equal(p.activeExperts, 2);
 * ```
 */
export function parameterBreakdown(model: ModelSpec): ParameterBreakdown {
  const h = model.hidden_size;
  const n = model.num_attention_heads;
  const g = model.gated_ffn ? 3 : 2;

  let attention: number;
  if (model.mla) {
    const { q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim } =
      model.mla;
    const v = model.mla.v_head_dim;
    const qk = qk_nope_head_dim + qk_rope_head_dim;
    const query = q_lora_rank > 0
      ? h * q_lora_rank + q_lora_rank * n * qk
      : h * n * qk;
    attention = query +
      h * (kv_lora_rank + qk_rope_head_dim) +
      kv_lora_rank * n * (qk_nope_head_dim + v) +
      n * v * h;
  } else {
    const q = n * model.head_dim;
    const kv = model.num_kv_heads * model.head_dim;
    attention = h * q + 2 * h * kv + q * h;
  }

  const experts = model.num_experts ?? 0;
  const denseLayers = experts > 0
    ? model.num_layers - moeLayerCount(model)
    : model.num_layers;
  return {
    embedding: model.vocab_size * h,
    lmHead: model.tied_embeddings ? 0 : model.vocab_size * h,
    attentionPerLayer: attention,
    denseLayers,
    denseFfnPerLayer: g * h * model.ffn_size,
    moeLayers: model.num_layers - denseLayers,
    experts,
    activeExperts: experts > 0 ? model.active_experts ?? 1 : 0,
    sharedExperts: experts > 0 ? model.shared_experts ?? 0 : 0,
    expertParams: g * h * (model.expert_ffn_size ?? model.ffn_size),
    router: h * experts,
  };
}

// Layers with an MoE FFN: those from dense_layers on whose index + 1 is a
// multiple of moe_layer_step (the Llama-4 and Qwen-MoE rule).
function moeLayerCount(model: ModelSpec): number {
  const first = Math.min(model.dense_layers ?? 0, model.num_layers);
  const step = model.moe_layer_step ?? 1;
  let n = 0;
  for (let i = first; i < model.num_layers; i++) if ((i + 1) % step === 0) n++;
  return n;
}

/**
 * Parameters one token passes through: {@linkcode parameterCount} with
 * only the routed experts it is sent to (active_experts of num_experts),
 * the embedding and LM head included (as Qwen and DeepSeek count it; the
 * gpt-oss model card leaves the embedding out).
 *
 * @param model The architecture.
 * @returns The active parameter count (the total for a dense model).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeParameterCount, MODELS, parameterCount } from "./catalog.ts";
 * const llama = MODELS["Llama-3.1-8B"];
 * assert.equal(activeParameterCount(llama), parameterCount(llama));
 * const q = MODELS["Qwen3-235B-A22B"];
 * // Model card: 22B activated of 235B.
 * assert.ok(Math.abs(activeParameterCount(q) / 22e9 - 1) < 0.03);
 * ```
 */
export function activeParameterCount(model: ModelSpec): number {
  const p = parameterBreakdown(model);
  return p.embedding + p.lmHead + model.num_layers * p.attentionPerLayer +
    p.denseLayers * p.denseFfnPerLayer +
    p.moeLayers *
      ((p.activeExperts + p.sharedExperts) * p.expertParams + p.router);
}
