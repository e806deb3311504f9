// The function every contender bridges: async, trivial, so the numbers are the bridge itself.
export async function echo(value) {
  return value;
}
