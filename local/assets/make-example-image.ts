// Regenerates example.jpg (1920×1080, a sunset over hills) with ffmpeg's lavfi `geq`; no fonts needed.
// Run: npx tsx local/assets/make-example-image.ts
import { fileURLToPath } from "node:url";
import { ffmpegPath } from "../media/ffmpeg-paths.js";
import { runProcess } from "../media/run-process.js";

const outputPath = fileURLToPath(new URL("./example.jpg", import.meta.url));

const wave = (base: number, terms: readonly [number, number, number][]): string =>
  `H*(${base}${terms.map(([amplitude, cycles, phase]) => `+${amplitude}*sin(X/W*6.2832*${cycles}+${phase})`).join("")})`;

const farHills = wave(0.7, [
  [0.045, 1.3, 0.4],
  [0.025, 3.7, 1.1],
]);
const nearHills = wave(0.8, [
  [0.035, 0.9, 2.0],
  [0.02, 5.3, 0],
]);
const sunDistance = "hypot(X-0.66*W,Y-0.58*H)";
const height = "Y/H";

// Per channel: near hills, far hills, then sky (gradient + glow + sun disc).
const channel = (near: string, far: string, sky: string): string =>
  `if(gt(Y,${nearHills}),${near},if(gt(Y,${farHills}),${far},min(255,${sky})))`;

const red = channel(
  `18+20*${height}`,
  `45+25*${height}`,
  `30+225*pow(${height}/0.7,1.6)+140*exp(-${sunDistance}/(0.12*H))+if(lt(${sunDistance},0.06*H),255,0)`,
);
const green = channel(
  `14+12*${height}`,
  `25+15*${height}`,
  `35+120*pow(${height}/0.7,2.2)+110*exp(-${sunDistance}/(0.10*H))+if(lt(${sunDistance},0.06*H),230,0)`,
);
const blue = channel(
  `40+20*${height}`,
  `70+20*${height}`,
  `110+40*${height}-80*pow(${height}/0.7,3)+40*exp(-${sunDistance}/(0.2*H))+if(lt(${sunDistance},0.06*H),160,0)`,
);

await runProcess(ffmpegPath, [
  "-hide_banner",
  "-loglevel",
  "error",
  "-y",
  "-f",
  "lavfi",
  "-i",
  `color=c=black:s=1920x1080:d=1,format=rgb24,geq=r='${red}':g='${green}':b='${blue}',gblur=sigma=1.2`,
  "-frames:v",
  "1",
  "-q:v",
  "3",
  outputPath,
]);
console.log(`wrote ${outputPath}`);
