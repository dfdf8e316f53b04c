/** The public Hailuo 2.3 API's own example request, with the image and callback served by `apiUrl`. */
export function exampleRequest(apiUrl: string) {
  return {
    model: "hailuo/2-3-image-to-video-standard",
    prompt: "A golden retriever running through a sunflower field at sunset, slow motion",
    image: `${apiUrl}/dev/example.jpg`,
    duration: "6",
    resolution: "768P",
    callback_url: `${apiUrl}/dev/webhooks`,
  };
}
