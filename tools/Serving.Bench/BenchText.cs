namespace Serving.Bench;

/// <summary>Plain English prose; its tokens, cycled, make every prompt.</summary>
internal static class BenchText
{
    public const string Value =
        "The river rose slowly through the night, and by morning the low fields along the valley were under water. " +
        "Farmers who had lived there for generations moved their animals to the hills, loaded what they could carry " +
        "onto carts, and waited for the rain to stop. In the town, the old stone bridge held, though the water came " +
        "within an arm's length of its arches. Children stood on the bank and watched branches, fences and once a " +
        "whole wooden shed drift past. By the third day the sky cleared, the water began to fall, and people walked " +
        "back down to see what remained of their homes, their gardens and the roads that connected the villages. " +
        "Months later, engineers came to study the valley. They measured the height the water had reached on every " +
        "wall, talked with the people who had stayed, and drew maps of where the current had been strongest.";
}
