using MudBlazor;

namespace BatchOps.Dashboard.Components.Layout;

/// <summary>
/// The dashboard's theme: the system font (nothing is fetched from the internet), and palettes whose text and status
/// colours keep WCAG AA contrast on their backgrounds in light and dark mode.
/// </summary>
public static class DashboardTheme
{
    private static readonly string[] SystemFont = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d4f9e",
            Secondary = "#5b3f86",
            Tertiary = "#00695c",
            Info = "#0b5f7a",
            Success = "#1b6b2d",
            Warning = "#7a4f00",
            Error = "#b3261e",
            Dark = "#2d3440",
            AppbarBackground = "#1f2733",
            AppbarText = "#ffffff",
            Background = "#f5f6f8",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            TextPrimary = "#1b1f24",
            TextSecondary = "#4f5661",
            ActionDefault = "#4f5661",
            LinesDefault = "#d3d7de",
            TableLines = "#e1e4e9",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4f8",
            // Light colours on a dark background: text on them must be dark to stay readable.
            PrimaryContrastText = "#0b1a30",
            SecondaryContrastText = "#1d1230",
            TertiaryContrastText = "#06221e",
            InfoContrastText = "#062430",
            SuccessContrastText = "#072611",
            WarningContrastText = "#2b1d00",
            ErrorContrastText = "#300a07",
            DarkContrastText = "#111317",
            Secondary = "#c5a8f0",
            Tertiary = "#7fd6c8",
            Info = "#7fd0ea",
            Success = "#86d49a",
            Warning = "#f5c86a",
            Error = "#f4a49d",
            Dark = "#d0d5dc",
            AppbarBackground = "#181c22",
            AppbarText = "#e8eaed",
            Background = "#111317",
            Surface = "#1b1f25",
            DrawerBackground = "#1b1f25",
            TextPrimary = "#e8eaed",
            TextSecondary = "#b4bac3",
            ActionDefault = "#b4bac3",
            LinesDefault = "#3a414b",
            TableLines = "#2e343d",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = SystemFont },
            H1 = new H1Typography { FontFamily = SystemFont },
            H2 = new H2Typography { FontFamily = SystemFont },
            H3 = new H3Typography { FontFamily = SystemFont },
            H4 = new H4Typography { FontFamily = SystemFont, FontSize = "1.6rem", FontWeight = "600" },
            H5 = new H5Typography { FontFamily = SystemFont, FontSize = "1.2rem", FontWeight = "600" },
            H6 = new H6Typography { FontFamily = SystemFont, FontSize = "1.05rem", FontWeight = "600" },
            Body1 = new Body1Typography { FontFamily = SystemFont },
            Body2 = new Body2Typography { FontFamily = SystemFont },
            Button = new ButtonTypography { FontFamily = SystemFont, TextTransform = "none" },
            Caption = new CaptionTypography { FontFamily = SystemFont },
            Subtitle1 = new Subtitle1Typography { FontFamily = SystemFont },
            Subtitle2 = new Subtitle2Typography { FontFamily = SystemFont },
            Overline = new OverlineTypography { FontFamily = SystemFont },
        },
    };
}

/// <summary>The reader's choice of theme, remembered in the browser: follow the system (the default), or always light or dark.</summary>
public enum ThemeChoice
{
    System,
    Light,
    Dark,
}
