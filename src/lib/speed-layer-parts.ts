/** The speed layer's parts (src/db/speed), each optional: PRISMA_SPEED_LAYER names those in use (src/settings.ts). */
export const SPEED_LAYER_PARTS = ["shared-compiler", "client-pool", "warm-up"] as const;
export type SpeedLayerPart = (typeof SPEED_LAYER_PARTS)[number];
